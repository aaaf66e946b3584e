//! Commit signatures: the OpenSSH public keys the configuration lists, the SSH signature a
//! commit carries (its `gpgsig` header, in the `git` namespace, as `gpg.format=ssh` writes
//! it) verified in process, and the bot's own signature.
//!
//! The only home of ssh-key. Pure functions over bytes: `git` extracts the signature and the
//! signed content, `cmd` decides what a result means for the rules.

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The namespace git signs commits in.
pub const NAMESPACE: &str = "git";

/// A public key from the configuration, known by its SHA-256 fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`…
    pub algorithm: String,
}

/// Reads one OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
pub fn parse_key(line: &str) -> Result<Key, String> {
    let key = PublicKey::from_openssh(line.trim()).map_err(|e| format!("not an OpenSSH public key ({e})"))?;
    if !supported(&key) {
        return Err(format!("keys of type `{}` cannot be verified here", key.algorithm()));
    }
    Ok(Key {
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        algorithm: key.algorithm().to_string(),
    })
}

fn supported(key: &PublicKey) -> bool {
    use ssh_key::public::KeyData;
    matches!(
        key.key_data(),
        KeyData::Ed25519(_) | KeyData::Rsa(_) | KeyData::Ecdsa(ssh_key::public::EcdsaPublicKey::NistP256(_))
    )
}

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Not an armored SSH signature (a PGP signature, garbage, a truncated block).
    Malformed(String),
    /// Made for another purpose than signing git objects.
    Namespace(String),
    /// A key type this build does not verify.
    Unsupported(String),
    /// The signature does not match the content (altered, or copied from another commit).
    Mismatch,
}

impl Invalid {
    pub fn describe(&self) -> String {
        match self {
            Invalid::Malformed(e) => format!("the signature is not a readable SSH signature ({e})"),
            Invalid::Namespace(n) => format!("the signature was made for `{n}`, not for git commits"),
            Invalid::Unsupported(a) => format!("the signature uses a `{a}` key, which cannot be verified here"),
            Invalid::Mismatch => "the signature does not match the commit's content".into(),
        }
    }
}

/// Verifies an armored SSH signature over `signed` (the commit without its `gpgsig` header)
/// and returns the fingerprint of the key that made it. Who owns that key is the caller's
/// question.
pub fn verify(armored: &[u8], signed: &[u8]) -> Result<String, Invalid> {
    let sig = SshSig::from_pem(armored).map_err(|e| Invalid::Malformed(e.to_string()))?;
    if sig.namespace() != NAMESPACE {
        return Err(Invalid::Namespace(sig.namespace().to_owned()));
    }
    let key = PublicKey::from(sig.public_key().clone());
    if !supported(&key) {
        return Err(Invalid::Unsupported(key.algorithm().to_string()));
    }
    key.verify(NAMESPACE, signed, &sig).map_err(|_| Invalid::Mismatch)?;
    Ok(key.fingerprint(HashAlg::Sha256).to_string())
}

/// Verifies a commit signature made by the forge (GitHub's web-flow commits: an OpenPGP
/// signature; or an SSH one) against the forge's published keys, given as text: armored
/// OpenPGP public key blocks or OpenSSH public key lines. Returns which key matched.
pub fn verify_forge(armored: &[u8], signed: &[u8], forge_keys: &[String]) -> Result<String, Invalid> {
    if armored.starts_with(b"-----BEGIN SSH SIGNATURE-----") {
        let fp = verify(armored, signed)?;
        let known = forge_keys
            .iter()
            .filter_map(|k| parse_key(k).ok())
            .any(|k| k.fingerprint == fp);
        return if known { Ok(fp) } else { Err(Invalid::Mismatch) };
    }
    use pgp::composed::{Deserializable, SignedPublicKey, StandaloneSignature};
    use pgp::types::KeyDetails;
    let text = std::str::from_utf8(armored).map_err(|_| Invalid::Malformed("not text".into()))?;
    let (sig, _) = StandaloneSignature::from_string(text).map_err(|e| Invalid::Malformed(e.to_string()))?;
    for block in forge_keys.iter().filter(|k| k.contains("BEGIN PGP PUBLIC KEY BLOCK")) {
        let Ok((key, _)) = SignedPublicKey::from_string(block) else {
            continue;
        };
        let id = format!("{:?}", key.primary_key.fingerprint());
        if sig.verify(&key.primary_key, signed).is_ok() {
            return Ok(id);
        }
        if key
            .public_subkeys
            .iter()
            .any(|sub| sig.verify(&sub.key, signed).is_ok())
        {
            return Ok(id);
        }
    }
    Err(Invalid::Mismatch)
}

/// Whether `text` is a forge key this build can read (for configuration checks).
pub fn parse_forge_key(text: &str) -> Result<(), String> {
    if text.contains("BEGIN PGP PUBLIC KEY BLOCK") {
        use pgp::composed::{Deserializable, SignedPublicKey};
        return SignedPublicKey::from_string(text)
            .map(|_| ())
            .map_err(|e| format!("not an OpenPGP public key block ({e})"));
    }
    parse_key(text).map(|_| ())
}

/// Signs `content` (a commit object's text) with an unencrypted OpenSSH private key; returns
/// the armored signature for the commit's `gpgsig` header and the key's fingerprint.
pub fn sign(private_key: &str, content: &[u8]) -> Result<(String, String), String> {
    let key = PrivateKey::from_openssh(private_key.trim())
        .map_err(|e| format!("the signing key is not an OpenSSH private key ({e})"))?;
    if key.is_encrypted() {
        return Err(
            "the signing key is protected by a passphrase; the bot needs a key without one, kept as a secret".into(),
        );
    }
    let sig = key
        .sign(NAMESPACE, HashAlg::Sha512, content)
        .map_err(|e| format!("cannot sign with this key ({e})"))?;
    let armored = sig
        .to_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the signature ({e})"))?;
    Ok((armored, key.fingerprint(HashAlg::Sha256).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keypair() -> (String, String) {
        let key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519).expect("key");
        let private = key.to_openssh(LineEnding::LF).expect("private").to_string();
        let public = key.public_key().to_openssh().expect("public");
        (private, public)
    }

    #[test]
    fn a_signature_verifies_to_its_key_and_nothing_else() {
        let (private, public) = keypair();
        let (armored, fp) = sign(&private, b"tree 0000\n\nisi\n").expect("sign");
        assert_eq!(parse_key(&public).expect("key").fingerprint, fp);
        assert_eq!(verify(armored.as_bytes(), b"tree 0000\n\nisi\n"), Ok(fp));
        assert_eq!(
            verify(armored.as_bytes(), b"tree 0000\n\nubah\n"),
            Err(Invalid::Mismatch)
        );
        assert!(matches!(
            verify(b"-----BEGIN PGP SIGNATURE-----\n", b"x"),
            Err(Invalid::Malformed(_))
        ));
    }

    #[test]
    fn other_namespaces_and_bad_keys_are_refused() {
        let (private, _) = keypair();
        let key = PrivateKey::from_openssh(&private).expect("key");
        let sig = key.sign("file", HashAlg::Sha512, b"x").expect("sign");
        let pem = sig.to_pem(LineEnding::LF).expect("pem");
        assert_eq!(verify(pem.as_bytes(), b"x"), Err(Invalid::Namespace("file".into())));
        assert!(parse_key("ssh-ed25519 bukan-base64").is_err());
        // A well-formed key of a type this build does not verify (DSA).
        let one = || ssh_key::Mpint::from_positive_bytes(&[1]).expect("mpint");
        let dsa = ssh_key::public::DsaPublicKey {
            p: one(),
            q: one(),
            g: one(),
            y: one(),
        };
        let line = PublicKey::new(ssh_key::public::KeyData::Dsa(dsa), "lama")
            .to_openssh()
            .expect("line");
        assert!(line.starts_with("ssh-dss "), "{line}");
        let refused = parse_key(&line).expect_err("dsa");
        assert!(refused.contains("cannot be verified here"), "{refused}");
        assert!(parse_key("").is_err());
        assert!(sign("bukan kunci", b"x").is_err());
    }
}
