//! What a commit's signature proves: nothing (unsigned), nothing good (it does not verify),
//! a key and the person the rulebook gives it to, or the forge's own signature. `check` and
//! `audit` judge commits by it when `signing: required`, and `audit --trail` shows it.

use crate::config::{Config, Signing};
use crate::diag::{Code, CommitRef, Diagnostic};
use crate::git::{CommitChanges, CommitMeta, GitError, RawSignature, Repo};
use crate::history::{author_roles, is_bot, is_forge};
use crate::signing::{self, Invalid};
use std::collections::HashSet;

/// What a commit's signature proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Proof {
    Unsigned,
    Bad(Invalid),
    /// Verified with this key; `owner` is the member (or bot) id the rulebook gives it to.
    Key {
        fingerprint: String,
        owner: Option<String>,
    },
    /// Verified with one of `check.forge_keys` on a commit the forge made where it merges
    /// (the first-parent line `audit` replays): it landed a pull request `check` judged.
    Forge,
    /// Verified with one of `check.forge_keys` on any other commit: one made in the forge's
    /// editor or through its API, whose author the account that made it named. It proves no
    /// member's key.
    ForgeEdit,
}

/// A commit's signature and what verifying it found, done where the commit is read (on
/// every core): as an SSH signature, and for the forge's commits against the forge's keys.
#[derive(Debug, Clone)]
pub(super) struct Verified {
    raw: RawSignature,
    ssh: Result<String, Invalid>,
    /// The keys the forge's signature was checked against ahead, and whether one verified it
    /// (an OpenPGP RSA check costs half a millisecond: a squash-merged history has one per
    /// merge).
    forge: Option<(Vec<String>, bool)>,
}

impl Verified {
    pub(super) fn new(raw: RawSignature) -> Verified {
        let ssh = signing::verify(&raw.armored, &raw.signed);
        Verified { raw, ssh, forge: None }
    }

    /// Checks the signature against the forge's `keys` now, for [`Proof::judge`] to find.
    pub(super) fn check_forge(&mut self, keys: &[String]) {
        let ok = signing::verify_forge(&self.raw.armored, &self.raw.signed, keys).is_ok();
        self.forge = Some((keys.to_vec(), ok));
    }

    /// Whether one of the forge's `keys` verifies the signature: checked ahead against these
    /// very keys, or now.
    fn forge_verifies(&self, keys: &[String]) -> bool {
        match &self.forge {
            Some((checked, ok)) if checked.as_slice() == keys => *ok,
            _ => signing::verify_forge(&self.raw.armored, &self.raw.signed, keys).is_ok(),
        }
    }
}

/// The commits of a head's first-parent line, where the forge's merges land: read once,
/// when a forge commit first asks.
#[derive(Default)]
pub(super) struct Mainline(Option<HashSet<String>>);

impl Mainline {
    /// Whether commit `id` is on `head`'s first-parent line.
    pub(super) fn holds(&mut self, repo: &Repo, head: &str, id: &str) -> Result<bool, GitError> {
        if self.0.is_none() {
            self.0 = Some(repo.first_parents(head)?);
        }
        Ok(self.0.as_ref().is_some_and(|line| line.contains(id)))
    }
}

impl Proof {
    /// The forge's signature proves one of its merges only where its merges land (`merge`):
    /// elsewhere it is [`Proof::ForgeEdit`].
    pub(super) fn landed(self, merge: bool) -> Proof {
        match self {
            Proof::Forge if !merge => Proof::ForgeEdit,
            p => p,
        }
    }

    /// Reads and verifies commit `id`'s signature against the rulebook's keys.
    pub(super) fn of(repo: &Repo, meta: &CommitMeta, cfg: &Config) -> Result<Proof, GitError> {
        let sig = repo.signature(&meta.id)?.map(Verified::new);
        Ok(Proof::judge(sig.as_ref(), meta, cfg))
    }

    /// What a verified signature proves under the rulebook: whose key, or the forge's.
    pub(super) fn judge(sig: Option<&Verified>, meta: &CommitMeta, cfg: &Config) -> Proof {
        let Some(sig) = sig else {
            return Proof::Unsigned;
        };
        if is_forge(meta, cfg) && sig.forge_verifies(&cfg.check.forge_keys) {
            return Proof::Forge;
        }
        match &sig.ssh {
            Ok(fingerprint) => Proof::Key {
                owner: cfg.keys.get(fingerprint).cloned(),
                fingerprint: fingerprint.clone(),
            },
            Err(e) => Proof::Bad(e.clone()),
        }
    }

    /// Whether the signature is by a key of the commit's author (or, for the bot's commit,
    /// the bot's key).
    pub(super) fn by_author(&self, meta: &CommitMeta, cfg: &Config) -> bool {
        match self {
            Proof::Key { owner: Some(o), .. } => {
                author_roles(meta, cfg).iter().any(|(_, m)| &m.id == o)
                    || (is_bot(meta, cfg) && *o == cfg.autoresolve.bot.id)
            }
            Proof::Forge => true,
            _ => false,
        }
    }

    /// How `audit --trail` names it.
    pub(super) fn describe(&self) -> String {
        match self {
            Proof::Unsigned => "unsigned".into(),
            Proof::Bad(e) => format!("bad signature: {}", e.describe()),
            Proof::Key { owner: Some(o), .. } => format!("signed by {o}"),
            Proof::Key {
                fingerprint,
                owner: None,
            } => format!("signed by an unknown key {fingerprint}"),
            Proof::Forge => "signed by the forge".into(),
            Proof::ForgeEdit => "signed by the forge's editor or API, not by the author's key".into(),
        }
    }
}

/// Whether a commit changes what signing protects: incidents, the rules or the templates.
pub(super) fn guarded(c: &CommitChanges) -> bool {
    c.incidents_changed || c.config_changed || c.templates_changed
}

/// The signing rules for one commit under `signing: required`.
pub(super) fn rules(c: &CommitChanges, proof: &Proof, cfg: &Config, commit: &CommitRef) -> Option<Diagnostic> {
    if cfg.signing != Signing::Required || !guarded(c) {
        return None;
    }
    let who = format!("{} <{}>", c.meta.author.name, c.meta.author.email);
    let path = match c.changes.first() {
        _ if c.config_changed => crate::config::FILE_NAME.to_owned(),
        Some(ch) => ch.path.clone(),
        None => c
            .paths
            .first()
            .map_or_else(|| "site-templates/".to_owned(), |p| p.path.clone()),
    };
    let path = path.as_str();
    let d = match proof {
        Proof::Unsigned => Diagnostic::error(Code::UnsignedCommit, path, format!("commit {} by {who} is not signed", commit.id))
            .help("sign your commits (git config commit.gpgsign true, gpg.format ssh, user.signingkey ~/.ssh/id_ed25519.pub) with the key listed for you in insiden.yaml"),
        Proof::Bad(e) => Diagnostic::error(Code::BadSignature, path, format!("commit {}: {}", commit.id, e.describe()))
            .help("re-create the commit with your own key; a signature copied from another commit never verifies"),
        Proof::Key { .. } | Proof::Forge if proof.by_author(&c.meta, cfg) => return None,
        Proof::Key { fingerprint, owner } => Diagnostic::error(
            Code::SignatureMismatch,
            path,
            format!(
                "commit {} is authored by {who} but signed with {} ({fingerprint})",
                commit.id,
                owner.as_deref().map_or("a key no member has".to_owned(), |o| format!("the key of `{o}`"))
            ),
        )
        .help("each member signs with their own key, listed for them under `signing_keys` at the merge base"),
        Proof::Forge => return None,
        Proof::ForgeEdit => Diagnostic::error(
            Code::SignatureMismatch,
            path,
            format!(
                "commit {} by {who} is signed by the forge (its web editor or API), not with the author's key",
                commit.id
            ),
        )
        .help("with `signing: required` each member commits from a clone, signed with their own key; the forge's signature counts only on its merges"),
    };
    Some(d.in_commit(commit.clone()))
}
