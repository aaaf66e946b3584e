//! Statistical disclosure control for the public edition: which counts of restricted
//! (non-TLP:CLEAR) incidents may be published, and how.
//!
//! The public edition lists its TLP:CLEAR incidents in full and only counts the rest. Every
//! number it publishes is a *cell*, a [`Tally`] of TLP:CLEAR and restricted incidents; a
//! reader knows the TLP:CLEAR part (those incidents are listed) and combines every published
//! number with every other. Cells are linked by *groups*: the members of a group add up to its
//! total (the states to all incidents, the months to their quarter, one category's months to
//! its quarter…). The rule, with `N` = `site.public_min_count`:
//!
//! * **A restricted part below `N` is never shown**, zero included, so that "fewer than `N`"
//!   never tells whether there is one such incident or none. A hidden cell is shown as the
//!   range it lies in ([`Count::Range`]: "< 3", or "2–4" with two listed incidents), or, for a
//!   row of a breakdown, merged into the breakdown's "other" row: the row's label (a
//!   category, a severity, a month…) is data too.
//! * **Nothing hidden can be worked out.** [`Table::solve`] computes what a reader learns from
//!   every shown cell and every group together (bounds propagation, the "shuttle" method of
//!   cell suppression), assuming the worst: that the reader knows which cells were hidden for
//!   being small and which were withheld to protect them. While a hidden cell with a
//!   restricted part from 1 to `N - 1` can be proven to be at least 1 — or, in a group of one
//!   label (the same category over the months of a quarter), the hidden members together — a
//!   further cell is withdrawn: the smallest shown one of a group holding it, else of the
//!   nearest group reached through cells not shown; when none is left the groups' hidden
//!   cells are withheld as wholly unknown. Bounds alone miss what only several sums together
//!   prove (a month's count pinned through its quarter, its year and another severity), so
//!   once they prove nothing more, every such count is probed: set to zero, with the
//!   consequences followed through every sum it reaches, it must contradict nothing printed.
//!
//! Pure: no configuration, no labels, no I/O. `census` decides which cells and groups the site
//! publishes; `audience` turns the decisions into views.

use serde::{Serialize, Serializer};
use std::fmt;

/// A count as the audience sees it: exact, or the range it lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Shown(usize),
    /// From `min` to `max` (`None`: no upper bound). Never to be read as a number.
    Range {
        min: usize,
        max: Option<usize>,
    },
}

impl Count {
    /// Entirely unknown: "x".
    pub const WITHHELD: Count = Count::Range { min: 0, max: None };

    /// "< n": from 0 to `n - 1`.
    pub fn below(n: u32) -> Count {
        Count::Range {
            min: 0,
            max: Some((n as usize).saturating_sub(1)),
        }
    }

    /// "≥ m".
    pub fn at_least(m: usize) -> Count {
        Count::Range { min: m, max: None }
    }

    /// The number, when shown.
    pub fn value(self) -> Option<usize> {
        match self {
            Count::Shown(n) => Some(n),
            Count::Range { .. } => None,
        }
    }

    /// What a reader can tell from the count: its least and greatest possible values.
    pub fn bounds(self) -> (u64, Option<u64>) {
        match self {
            Count::Shown(n) => (n as u64, Some(n as u64)),
            Count::Range { min, max } => (min as u64, max.map(|m| m as u64)),
        }
    }

    /// The count shifted by `c` listed incidents.
    pub fn plus(self, c: usize) -> Count {
        match self {
            Count::Shown(n) => Count::Shown(n + c),
            Count::Range { min, max } => Count::Range {
                min: min + c,
                max: max.map(|m| m + c),
            },
        }
    }

    /// The text with numbers written by `num` (the language's digit grouping).
    pub fn text(self, num: impl Fn(usize) -> String) -> String {
        match self {
            Count::Shown(n) => num(n),
            Count::Range { min: 0, max: None } => "x".to_owned(),
            Count::Range { min, max: None } => format!("≥ {}", num(min)),
            Count::Range { min: 0, max: Some(m) } => format!("< {}", num(m + 1)),
            Count::Range { min, max: Some(m) } if min == m => num(min),
            Count::Range { min, max: Some(m) } => format!("{}–{}", num(min), num(m)),
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(|n| n.to_string()))
    }
}

/// JSON: a number when shown, else `{"min": a, "max": b}` (`max` null when unbounded), so a
/// consumer can never add a hidden count up as if it were a number.
impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            Count::Shown(n) => s.serialize_u64(*n as u64),
            Count::Range { min, max } => {
                let mut r = s.serialize_struct("Range", 2)?;
                r.serialize_field("min", min)?;
                r.serialize_field("max", max)?;
                r.end()
            }
        }
    }
}

/// A count split as a reader of the public edition can split it: the TLP:CLEAR incidents,
/// listed in full beside it and so known, and the rest, which must be protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub clear: usize,
    pub restricted: usize,
}

impl Tally {
    /// `all` incidents of which `clear` are TLP:CLEAR.
    pub fn split(all: usize, clear: usize) -> Tally {
        Tally {
            clear: clear.min(all),
            restricted: all.saturating_sub(clear),
        }
    }

    pub fn all(self) -> usize {
        self.clear + self.restricted
    }
}

impl std::ops::Add for Tally {
    type Output = Tally;
    fn add(self, o: Tally) -> Tally {
        Tally {
            clear: self.clear + o.clear,
            restricted: self.restricted + o.restricted,
        }
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(it: I) -> Tally {
        it.fold(Tally::default(), |a, b| a + b)
    }
}

/// How a cell is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A row that is always there: shown as a number, or as its range when hidden (`< 3`,
    /// `≥ 3`), which a reader then knows.
    Published,
    /// A row of a breakdown, shown only when named: hidden, it merges into the "other" row,
    /// and all a reader can tell is that rows left unnamed are rare (below N) — even those
    /// withdrawn to protect another, which print nothing.
    Merged,
    /// Never printed, but computable from what is (the incidents of a period not yet
    /// triaged, when those in and out of scope are printed beside the period's count): it is
    /// protected like a printed cell.
    Derived,
}

/// The members of a group add up to its total. Indices are cells of the [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub members: Vec<usize>,
    pub total: usize,
    /// The members carry one label over parts of a period (one category in each month of a
    /// quarter): their hidden members together must not be proven small either, since that
    /// would attribute the label to fewer than `N` incidents.
    pub one_label: bool,
}

/// What became of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vis {
    /// Its restricted part is `N` or more and shown.
    Shown,
    /// Its restricted part is below `N` (zero included): a reader knows 0 to `N - 1`.
    Hidden,
    /// Shown no more, so that a hidden one cannot be worked out; a reader knows `N` or more.
    Withdrawn,
    /// A reader knows nothing of it.
    Withheld,
    /// Decided in another table; a reader knows the given bounds.
    Given(u64, Option<u64>),
}

type Bounds = (u64, Option<u64>);

/// A table of cells and groups to protect together. `min <= 1` (the internal edition) shows
/// every cell.
#[derive(Debug, Clone)]
pub struct Table {
    min: u32,
    tallies: Vec<Tally>,
    shapes: Vec<Shape>,
    given: Vec<Option<Bounds>>,
    /// Cells to withdraw before any other when one must be (all time, before this year).
    expendable: Vec<bool>,
    groups: Vec<Group>,
    breakdowns: Vec<Breakdown>,
    /// How many sums probing may look at ([`SOLVE_WORK`]).
    work: usize,
}

/// A breakdown's rows and their total (see [`Table::breakdown`]).
#[derive(Debug, Clone)]
struct Breakdown {
    members: Vec<usize>,
    total: usize,
}

/// The decisions of [`Table::solve`].
#[derive(Debug, Clone)]
pub struct Solution {
    min: u32,
    tallies: Vec<Tally>,
    vis: Vec<Vis>,
    bounds: Vec<Bounds>,
}

impl Table {
    pub fn new(min: u32) -> Table {
        Table {
            min,
            tallies: Vec::new(),
            shapes: Vec::new(),
            given: Vec::new(),
            expendable: Vec::new(),
            groups: Vec::new(),
            breakdowns: Vec::new(),
            work: SOLVE_WORK,
        }
    }

    /// The same table with `work` sums for its probing (tests: a table whose probing runs out).
    #[cfg(test)]
    fn with_work(self, work: usize) -> Table {
        Table { work, ..self }
    }

    /// Marks a cell to be withdrawn before any other, when a hidden one needs protecting.
    pub fn expendable(&mut self, cell: usize) {
        self.expendable[cell] = true;
    }

    /// A published cell; its index.
    pub fn cell(&mut self, t: Tally) -> usize {
        self.push(t, Shape::Published, None)
    }

    /// A row of a breakdown, named only when shown; its index.
    pub fn merged(&mut self, t: Tally) -> usize {
        self.push(t, Shape::Merged, None)
    }

    /// A cell never printed but computable; its index.
    pub fn derived(&mut self, t: Tally) -> usize {
        self.push(t, Shape::Derived, None)
    }

    /// A cell decided in another table, of which a reader knows `bounds` (its restricted
    /// part's, from that table's [`Solution::bounds`]); its index.
    pub fn given(&mut self, t: Tally, bounds: Bounds) -> usize {
        self.push(t, Shape::Published, Some(bounds))
    }

    fn push(&mut self, t: Tally, shape: Shape, given: Option<Bounds>) -> usize {
        self.tallies.push(t);
        self.shapes.push(shape);
        self.given.push(given);
        self.expendable.push(false);
        self.tallies.len() - 1
    }

    /// A breakdown: `members` (cells made with [`Table::merged`], one per value) add up to
    /// `total`; they are printed as `census` prints a breakdown: every row whose restricted
    /// part is shown, then one row for the rest (all rows when nothing restricted is left in
    /// it), or nothing when the total is not shown or no row can be named.
    pub fn breakdown(&mut self, members: Vec<usize>, total: usize) {
        self.group(members.clone(), total, false);
        self.breakdowns.push(Breakdown { members, total });
    }

    /// The cells `members` add up to `total`.
    pub fn group(&mut self, members: Vec<usize>, total: usize, one_label: bool) {
        self.groups.push(Group {
            members,
            total,
            one_label,
        });
    }

    pub fn len(&self) -> usize {
        self.tallies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tallies.is_empty()
    }

    /// Decides every cell: see the module documentation.
    pub fn solve(self) -> Solution {
        let n = u64::from(self.min);
        let r = |i: usize| self.tallies[i].restricted as u64;
        let mut vis: Vec<Vis> = (0..self.len())
            .map(|i| match self.given[i] {
                Some((lo, hi)) => Vis::Given(lo, hi),
                None if self.min <= 1 => Vis::Shown,
                None if self.shapes[i] != Shape::Derived && r(i) >= n => Vis::Shown,
                None => Vis::Hidden,
            })
            .collect();
        if self.min <= 1 {
            let bounds = (0..self.len()).map(|i| (r(i), Some(r(i)))).collect();
            return Solution {
                min: self.min,
                tallies: self.tallies,
                vis,
                bounds,
            };
        }
        // Which groups hold each cell.
        let mut holding: Vec<Vec<usize>> = vec![Vec::new(); self.len()];
        for (g, grp) in self.groups.iter().enumerate() {
            for &m in grp.members.iter().chain(std::iter::once(&grp.total)) {
                holding[m].push(g);
            }
        }
        let small = |v: u64| v >= 1 && v < n;
        let mut cell_given_up = vec![false; self.len()];
        let mut group_given_up = vec![false; self.groups.len()];
        // Counts shown possibly zero by a filling; it stays true as cells are shown less.
        let mut cell_ok = vec![false; self.len()];
        let mut group_ok = vec![false; self.groups.len()];
        let mut work = self.work;
        let mut bounds;
        loop {
            let mut prior: Vec<Bounds> = (0..self.len())
                .map(|i| match (vis[i], self.shapes[i]) {
                    (Vis::Given(lo, hi), _) => (lo, hi),
                    (Vis::Shown, _) => (r(i), Some(r(i))),
                    (Vis::Hidden, Shape::Published | Shape::Merged) => (0, Some(n - 1)),
                    (Vis::Withdrawn, Shape::Published) => (n, None),
                    _ => (0, None),
                })
                .collect();
            // What a breakdown prints of its unnamed rows, as `breakdown_rows` prints them.
            let shown = |i: usize| vis[i] == Vis::Shown || matches!(vis[i], Vis::Given(lo, Some(hi)) if lo == hi);
            for b in &self.breakdowns {
                let rest: Vec<usize> = b.members.iter().copied().filter(|m| !shown(*m)).collect();
                let named = rest.len() < b.members.len();
                if !shown(b.total) {
                    rest.iter().for_each(|m| prior[*m] = (0, None));
                } else if rest.iter().all(|m| r(*m) == 0) {
                    // Nothing restricted left unnamed: every row is printed, zeros as zeros.
                    rest.iter().for_each(|m| prior[*m] = (0, Some(0)));
                } else if !named {
                    rest.iter().for_each(|m| prior[*m] = (0, None));
                }
            }
            // Should propagation ever stop short, no small hidden count is taken as safe.
            let complete = propagate(&prior, &self.groups);
            let cut_short = complete.is_none();
            bounds = complete.unwrap_or(prior);
            let open = |i: usize| !matches!(vis[i], Vis::Shown | Vis::Given(..));
            // Hidden cells proven to hold at least one of their fewer than N incidents, and
            // groups of one label whose hidden members together are.
            let mut leaks: Vec<Result<usize, usize>> = (0..self.len())
                .filter(|&i| open(i) && !cell_given_up[i] && small(r(i)) && (cut_short || bounds[i].0 >= 1))
                .map(Err)
                .collect();
            leaks.extend(self.groups.iter().enumerate().filter_map(|(g, grp)| {
                if !grp.one_label || group_given_up[g] {
                    return None;
                }
                let hidden: Vec<usize> = grp.members.iter().copied().filter(|&m| open(m)).collect();
                let sum: u64 = hidden.iter().map(|&m| r(m)).sum();
                if hidden.len() < 2 || !small(sum) {
                    return None;
                }
                let lo_members: u64 = hidden.iter().map(|&m| bounds[m].0).sum();
                let others_hi = grp
                    .members
                    .iter()
                    .filter(|m| !hidden.contains(m))
                    .try_fold(0u64, |a, &m| bounds[m].1.map(|h| a + h));
                let lo = others_hi.map_or(lo_members, |h| lo_members.max(bounds[grp.total].0.saturating_sub(h)));
                (lo >= 1).then_some(Ok(g))
            }));
            if leaks.is_empty() {
                // Bounds prove no more; probing finds what only several sums prove together
                // (a hidden count pinned through its quarter, its year and another row).
                // From the propagated bounds: what the sums imply is known already.
                leaks.extend(self.probed_leaks(
                    &bounds,
                    &vis,
                    (&cell_given_up, &group_given_up),
                    (&mut cell_ok, &mut group_ok),
                    &mut work,
                ));
            }
            if leaks.is_empty() {
                break;
            }
            // Each leak far from this round's changes is mended now; the others are looked at
            // again with the new bounds.
            let mut touched = vec![false; self.groups.len()];
            for leak in leaks {
                let around: Vec<usize> = match leak {
                    Err(cell) => holding[cell].clone(),
                    Ok(g) => vec![g],
                };
                if around.iter().any(|g| touched[*g]) {
                    continue;
                }
                let changed = self.mend(leak, &around, &mut vis, &holding, &r);
                if changed.is_empty() {
                    match leak {
                        Err(cell) => cell_given_up[cell] = true,
                        Ok(g) => group_given_up[g] = true,
                    }
                }
                for c in changed {
                    for g in &holding[c] {
                        touched[*g] = true;
                    }
                }
                for g in around {
                    touched[g] = true;
                }
            }
        }
        Solution {
            min: self.min,
            tallies: self.tallies,
            vis,
            bounds,
        }
    }
}

impl Table {
    /// Every hidden count (or group of one label) from 1 to N - 1 that a reader can prove
    /// present from what is printed (`prior`) and the sums: set to zero, it contradicts them.
    /// Probing (propagation from the zero) finds most; a search for a whole filling settles
    /// the rest (running out of branches, or of the table's `work`, counts as proven).
    /// Fillings found also show every other cell they set to zero possible; that stays true
    /// as cells are only ever shown less (`certified`).
    fn probed_leaks(
        &self,
        prior: &[Bounds],
        vis: &[Vis],
        given_up: (&[bool], &[bool]),
        certified: (&mut [bool], &mut [bool]),
        work: &mut usize,
    ) -> Vec<Result<usize, usize>> {
        let (cell_given_up, group_given_up) = given_up;
        let (cell_ok, group_ok) = certified;
        let n = u64::from(self.min);
        let r = |i: usize| self.tallies[i].restricted as u64;
        let small = |v: u64| v >= 1 && v < n;
        let open = |i: usize| !matches!(vis[i], Vis::Shown | Vis::Given(..));
        let cap = (self.tallies.iter().map(|t| t.restricted as u64).sum::<u64>() + n) as i64;
        // Every sum as `Σ coef · x = rhs` over every cell, once; each probe copies the bounds.
        let rows: Vec<(Vec<(usize, i64)>, i64)> = self
            .groups
            .iter()
            .map(|g| {
                let terms = g
                    .members
                    .iter()
                    .map(|m| (*m, 1))
                    .chain(std::iter::once((g.total, -1)))
                    .collect();
                (terms, 0)
            })
            .collect();
        let lo: Vec<i64> = prior.iter().map(|b| b.0 as i64).collect();
        let hi: Vec<i64> = prior.iter().map(|b| b.1.map_or(cap, |h| h as i64)).collect();
        let truth: Vec<i64> = (0..self.len()).map(|i| r(i) as i64).collect();
        let mut probe = Probe::new(rows, lo.clone(), hi.clone());
        probe.work = *work;
        let pending: Vec<bool> = (0..self.len())
            .map(|i| open(i) && !cell_given_up[i] && !cell_ok[i] && small(r(i)))
            .collect();
        // `Some(zeros)`: a filling with `zero` at zero exists, and these cells are zero in it.
        let mut filling = |zero: &[usize]| -> Option<Vec<usize>> {
            if probe.work == 0 {
                return None;
            }
            probe.lo.clone_from(&lo);
            probe.hi.clone_from(&hi);
            probe.changes.clear();
            let mut queue = Vec::new();
            for z in zero {
                if probe.lo[*z] > 0 {
                    return None;
                }
                probe.hi[*z] = 0;
                queue.extend(probe.of[*z].iter().map(|(r, _)| *r));
            }
            queue.sort_unstable();
            queue.dedup();
            if !probe.propagate(queue, usize::MAX) {
                return None;
            }
            probe.fill(zero, &truth, &pending)
        };
        // Every leak of this round, so that the caller mends all that lie apart at once.
        let mut leaks = Vec::new();
        for i in 0..self.len() {
            if !pending[i] || cell_ok[i] {
                continue;
            }
            match filling(&[i]) {
                Some(zeros) => {
                    for z in zeros {
                        cell_ok[z] = true;
                    }
                }
                None => leaks.push(Err(i)),
            }
        }
        for (g, grp) in self.groups.iter().enumerate() {
            if !grp.one_label || group_given_up[g] || group_ok[g] {
                continue;
            }
            let hidden: Vec<usize> = grp.members.iter().copied().filter(|&m| open(m)).collect();
            let sum: u64 = hidden.iter().map(|&m| r(m)).sum();
            if hidden.len() > 1 && small(sum) {
                if filling(&hidden).is_none() {
                    leaks.push(Ok(g));
                } else {
                    group_ok[g] = true;
                }
            }
        }
        *work = probe.work;
        leaks
    }

    /// Mends one leak (a cell, or a group of one label); returns the cells changed. The
    /// nearest shown cell is withdrawn: the smallest of the groups around it, else of the
    /// groups reached through cells not shown (a year's count pinned by all time pins its
    /// quarter). With none left, what is hidden around it is withheld altogether.
    fn mend(
        &self,
        leak: Result<usize, usize>,
        around: &[usize],
        vis: &mut [Vis],
        holding: &[Vec<usize>],
        r: &dyn Fn(usize) -> u64,
    ) -> Vec<usize> {
        let open = |v: &[Vis], i: usize| !matches!(v[i], Vis::Shown | Vis::Given(..));
        let mut ring = around.to_vec();
        let mut seen_group = vec![false; self.groups.len()];
        let mut seen_cell = vec![false; self.len()];
        for g in &ring {
            seen_group[*g] = true;
        }
        while !ring.is_empty() {
            let cells: Vec<usize> = ring
                .iter()
                .flat_map(|&g| {
                    let grp = &self.groups[g];
                    grp.members.iter().copied().chain(std::iter::once(grp.total))
                })
                .collect();
            if let Some(c) = cells
                .iter()
                .copied()
                .filter(|&c| vis[c] == Vis::Shown)
                .min_by_key(|&c| (!self.expendable[c], r(c), c))
            {
                vis[c] = Vis::Withdrawn;
                return vec![c];
            }
            let mut next = Vec::new();
            for c in cells {
                if !std::mem::replace(&mut seen_cell[c], true) && open(vis, c) {
                    for g in &holding[c] {
                        if !std::mem::replace(&mut seen_group[*g], true) {
                            next.push(*g);
                        }
                    }
                }
            }
            ring = next;
        }
        let mut changed = Vec::new();
        let leak_cell = leak.err();
        for m in around
            .iter()
            .flat_map(|&g| {
                let grp = &self.groups[g];
                grp.members.iter().copied().chain(std::iter::once(grp.total))
            })
            .chain(leak_cell)
        {
            if matches!(vis[m], Vis::Hidden | Vis::Withdrawn) {
                vis[m] = Vis::Withheld;
                changed.push(m);
            }
        }
        changed
    }
}

impl Solution {
    /// Whether the cell's restricted part is shown as a number.
    pub fn shown(&self, cell: usize) -> bool {
        matches!(self.vis[cell], Vis::Shown) || matches!(self.vis[cell], Vis::Given(lo, Some(hi)) if lo == hi)
    }

    pub fn vis(&self, cell: usize) -> Vis {
        self.vis[cell]
    }

    pub fn tally(&self, cell: usize) -> Tally {
        self.tallies[cell]
    }

    /// What a reader can tell of the cell's restricted part from everything published.
    pub fn bounds(&self, cell: usize) -> Bounds {
        self.bounds[cell]
    }

    /// How the cell's restricted part alone is shown.
    pub fn restricted(&self, cell: usize) -> Count {
        let r = self.tallies[cell].restricted;
        let n = self.min as usize;
        match self.vis[cell] {
            Vis::Shown => Count::Shown(r),
            Vis::Hidden => Count::below(self.min),
            Vis::Withdrawn => Count::at_least(n),
            Vis::Withheld => Count::WITHHELD,
            Vis::Given(lo, Some(hi)) if lo == hi => Count::Shown(r),
            Vis::Given(lo, hi) => Count::Range {
                min: usize::try_from(lo).unwrap_or(usize::MAX),
                max: hi.map(|h| usize::try_from(h).unwrap_or(usize::MAX)),
            },
        }
    }

    /// How the whole cell is shown: its restricted part's count plus the listed TLP:CLEAR
    /// incidents ("2–4" for two listed and a hidden rest).
    pub fn count(&self, cell: usize) -> Count {
        self.restricted(cell).plus(self.tallies[cell].clear)
    }
}

/// Rows `Σ coef · x = rhs` over whole numbers within bounds, tightened by propagation: each
/// row is revisited when one of its cells' bounds moves (inside the search for a filling,
/// only up to [`NODE_STEPS`] rows a step).
struct Probe {
    rows: Vec<(Vec<(usize, i64)>, i64)>,
    /// The rows each cell is in, with its coefficient there.
    of: Vec<Vec<(usize, i64)>>,
    lo: Vec<i64>,
    hi: Vec<i64>,
    /// While a filling is searched ([`Probe::fill`]): the value each cell is meant to take,
    /// which it takes clamped into its bounds; each row's excess under those values; how many
    /// rows are off; whether the excess is being kept (only inside the search). At none off,
    /// the values are a whole filling, whatever is left undecided.
    target: Vec<i64>,
    excess: Vec<i64>,
    off: usize,
    tracking: bool,
    /// Bounds changed by propagation, as (cell, old lo, old hi), for undoing.
    changes: Vec<(usize, i64, i64)>,
    /// Which rows wait in the propagation queue (kept between calls, all false there).
    queued: Vec<bool>,
    /// Sums left to look at for this table ([`SOLVE_WORK`]); at zero, every propagation
    /// fails, which only ever protects more.
    work: usize,
}

/// How many branches a search for a filling may take; running out counts as none found.
const FILL_LIMIT: usize = 300;

/// How many sums one step of the search for a filling may look at. Bounds that creep along
/// cycles of sums would take thousands; the search needs only what prunes it, and whether a
/// filling is whole is told by its sums adding up, not by propagation.
const NODE_STEPS: usize = 16;

/// How many sums all the probing of one table may look at together (about a second). Past
/// it every count still to be probed counts as proven, and is protected: a table whose
/// probing wanders costs bounded time and publishes less, never more.
const SOLVE_WORK: usize = 20_000_000;

impl Probe {
    fn new(rows: Vec<(Vec<(usize, i64)>, i64)>, lo: Vec<i64>, hi: Vec<i64>) -> Probe {
        let mut of = vec![Vec::new(); lo.len()];
        for (r, (terms, _)) in rows.iter().enumerate() {
            for (x, a) in terms {
                of[*x].push((r, *a));
            }
        }
        Probe {
            rows,
            of,
            lo,
            hi,
            target: Vec::new(),
            excess: Vec::new(),
            off: 0,
            tracking: false,
            changes: Vec::new(),
            queued: Vec::new(),
            work: SOLVE_WORK,
        }
    }

    /// A whole filling, after propagation from `zero`: depth first, cells nearest the zeroed
    /// ones decided first, zero tried first for the `pending` cells it reaches (to settle many
    /// at once) and the truth for the rest; when that wanders, the truth first everywhere.
    /// The search ends
    /// as soon as every row adds up with each cell at what it aims at, however many are still
    /// undecided. Every cell zero in it (reached by the search or not), or `None` when there is
    /// none or the branches ran out.
    fn fill(&mut self, zero: &[usize], truth: &[i64], pending: &[bool]) -> Option<Vec<usize>> {
        // Breadth first from the zeroed cells through cells still open or no longer able to
        // hold their true value: the order in which the search decides cells. A cell it does
        // not reach aims at its true value; should a sum still be off once the order is
        // decided, the search goes on with an open cell of that sum.
        let mut order = Vec::new();
        let mut seen = vec![false; self.lo.len()];
        let mut rows_seen = vec![false; self.rows.len()];
        let mut queue: std::collections::VecDeque<usize> = zero.iter().copied().collect();
        for z in zero {
            seen[*z] = true;
        }
        while let Some(x) = queue.pop_front() {
            order.push(x);
            for (r, _) in &self.of[x] {
                if !std::mem::replace(&mut rows_seen[*r], true) {
                    for (y, _) in &self.rows[*r].0 {
                        let moved = self.lo[*y] < self.hi[*y] || self.lo[*y] != truth[*y];
                        if moved && !std::mem::replace(&mut seen[*y], true) {
                            queue.push_back(*y);
                        }
                    }
                }
            }
        }
        let (lo, hi) = (self.lo.clone(), self.hi.clone());
        self.changes.clear();
        // Cells the search reaches aim at zero (pending ones, first) or the truth; the rest
        // keep the truth.
        let greedy: Vec<i64> = (0..truth.len())
            .map(|i| if pending[i] && seen[i] { 0 } else { truth[i] })
            .collect();
        for (first, limit) in [(&greedy, FILL_LIMIT / 10), (&truth.to_vec(), FILL_LIMIT)] {
            self.lo.clone_from(&lo);
            self.hi.clone_from(&hi);
            self.track(first);
            let mut trail = Vec::new();
            let mut nodes = 0;
            let found = self.dive(&order, 0, &mut trail, &mut nodes, limit);
            self.tracking = false;
            match found {
                // Added up once more, row by row, rather than trusted to the running excess:
                // what a page may leave hidden rests on it.
                Some(true) if self.adds_up() => {
                    return Some((0..truth.len()).filter(|x| self.value(*x) == 0).collect());
                }
                Some(_) => return None,
                None => {}
            }
        }
        None
    }

    /// Starts keeping each row's excess under `target`, clamped into the present bounds.
    fn track(&mut self, target: &[i64]) {
        self.work = self.work.saturating_sub(self.rows.len());
        self.target.clear();
        self.target.extend_from_slice(target);
        let excess: Vec<i64> = (0..self.rows.len()).map(|r| self.row_excess(r)).collect();
        self.off = excess.iter().filter(|e| **e != 0).count();
        self.excess = excess;
        self.tracking = true;
    }

    /// Whether every row adds up with each cell at its value (in the filling being searched).
    fn adds_up(&self) -> bool {
        (0..self.rows.len()).all(|r| self.row_excess(r) == 0)
    }

    /// How far a row's sum is from its right-hand side with each cell at its value.
    fn row_excess(&self, r: usize) -> i64 {
        let (terms, rhs) = &self.rows[r];
        terms.iter().map(|(x, a)| a * self.value(*x)).sum::<i64>() - rhs
    }

    /// An open cell of a row that does not add up, if any.
    fn open_in_a_row_off(&self) -> Option<usize> {
        self.rows
            .iter()
            .zip(&self.excess)
            .filter(|(_, e)| **e != 0)
            .find_map(|((terms, _), _)| terms.iter().map(|(x, _)| *x).find(|x| self.lo[*x] < self.hi[*x]))
    }

    /// The value a cell takes in the filling being searched.
    fn value(&self, x: usize) -> i64 {
        self.target[x].clamp(self.lo[x], self.hi[x])
    }

    /// Sets a cell's bounds (`lo <= hi`), keeping the rows' excess while a filling is searched.
    fn bound(&mut self, x: usize, lo: i64, hi: i64) {
        if self.tracking {
            let moved = self.target[x].clamp(lo, hi) - self.value(x);
            if moved != 0 {
                for &(r, a) in &self.of[x] {
                    let was_off = self.excess[r] != 0;
                    self.excess[r] += a * moved;
                    match (was_off, self.excess[r] != 0) {
                        (true, false) => self.off -= 1,
                        (false, true) => self.off += 1,
                        _ => {}
                    }
                }
            }
        }
        self.lo[x] = lo;
        self.hi[x] = hi;
    }

    fn dive(
        &mut self,
        order: &[usize],
        from: usize,
        trail: &mut Vec<(usize, i64, i64)>,
        nodes: &mut usize,
        limit: usize,
    ) -> Option<bool> {
        *nodes += 1;
        if *nodes > limit {
            return None;
        }
        // Every row adds up with each cell at its target: a filling, decided or not.
        if self.off == 0 {
            return Some(true);
        }
        // The next open cell in order; past the end, one in a row that does not add up.
        let mut next = (from..order.len())
            .find(|k| self.lo[order[*k]] < self.hi[order[*k]])
            .map(|k| (k, order[k]));
        if next.is_none() {
            self.work = self.work.saturating_sub(self.rows.len());
            next = self.open_in_a_row_off().map(|v| (order.len(), v));
        }
        let Some((k, v)) = next else {
            return Some(false);
        };
        let (lo, hi) = (self.lo[v], self.hi[v]);
        let t = self.value(v);
        let mut tries = vec![(t, t)];
        if t > lo {
            tries.push((lo, t - 1));
        }
        if t < hi {
            tries.push((t + 1, hi));
        }
        for (a, b) in tries {
            let mark = trail.len();
            trail.push((v, self.lo[v], self.hi[v]));
            self.bound(v, a, b);
            let before = self.changes.len();
            let ok = self.propagate(self.of[v].iter().map(|(r, _)| *r).collect(), NODE_STEPS);
            trail.extend(self.changes.drain(before..));
            if ok {
                match self.dive(order, k, trail, nodes, limit) {
                    Some(false) => {}
                    done => return done,
                }
            }
            while trail.len() > mark {
                if let Some((x, l, h)) = trail.pop() {
                    self.bound(x, l, h);
                }
            }
        }
        Some(false)
    }

    /// Propagates from the rows in `queue`, looking at `steps` rows at most; `false` on a
    /// contradiction. Stopping short leaves the bounds looser than they could be, never wrong.
    fn propagate(&mut self, mut queue: Vec<usize>, steps: usize) -> bool {
        let mut queued = std::mem::take(&mut self.queued);
        queued.resize(self.rows.len(), false);
        for r in &queue {
            queued[*r] = true;
        }
        let ok = self.drain(&mut queue, &mut queued, steps);
        for r in queue {
            queued[r] = false;
        }
        self.queued = queued;
        ok
    }

    fn drain(&mut self, queue: &mut Vec<usize>, queued: &mut [bool], mut steps: usize) -> bool {
        while let Some(r) = queue.pop() {
            steps = match steps.checked_sub(1) {
                Some(s) => s,
                None => {
                    queue.push(r);
                    return true;
                }
            };
            queued[r] = false;
            self.work = match self.work.checked_sub(1) {
                Some(w) => w,
                None => return false,
            };
            let (mut smin, mut smax) = (0i64, 0i64);
            for (x, a) in &self.rows[r].0 {
                if *a > 0 {
                    smin += self.lo[*x];
                    smax += self.hi[*x];
                } else {
                    smin -= self.hi[*x];
                    smax -= self.lo[*x];
                }
            }
            let rhs = self.rows[r].1;
            if smin > rhs || smax < rhs {
                return false;
            }
            for k in 0..self.rows[r].0.len() {
                let (x, a) = self.rows[r].0[k];
                let (tmin, tmax) = if a > 0 {
                    (self.lo[x], self.hi[x])
                } else {
                    (-self.hi[x], -self.lo[x])
                };
                let (vmin, vmax) = (rhs - (smax - tmax), rhs - (smin - tmin));
                let (nlo, nhi) = if a > 0 { (vmin, vmax) } else { (-vmax, -vmin) };
                let (nlo, nhi) = (nlo.max(self.lo[x]), nhi.min(self.hi[x]));
                if nlo > nhi {
                    return false;
                }
                if (nlo, nhi) != (self.lo[x], self.hi[x]) {
                    self.changes.push((x, self.lo[x], self.hi[x]));
                    self.bound(x, nlo, nhi);
                    for i in 0..self.of[x].len() {
                        let q = self.of[x][i].0;
                        if !queued[q] && q != r {
                            queued[q] = true;
                            queue.push(q);
                        }
                    }
                }
            }
        }
        true
    }
}

fn sum_lo(it: impl Iterator<Item = u64>) -> u64 {
    it.fold(0, u64::saturating_add)
}

/// Bounds propagation over the groups (the shuttle algorithm): each cell's least and
/// greatest possible value given `prior` and the sums. Sound: the truth always lies within.
/// A group is looked at again only when one of its cells' bounds moved, so a large table
/// whose bounds creep along a long chain of sums costs the steps of that chain, not sweeps of
/// the whole table.
/// `None` if the fixed point was not reached (a guard that should never trip): the bounds
/// would then understate what a reader can work out.
pub fn propagate(prior: &[Bounds], groups: &[Group]) -> Option<Vec<Bounds>> {
    let mut b: Vec<Bounds> = prior.to_vec();
    let mut holding: Vec<Vec<usize>> = vec![Vec::new(); b.len()];
    for (g, grp) in groups.iter().enumerate() {
        for &m in grp.members.iter().chain(std::iter::once(&grp.total)) {
            holding[m].push(g);
        }
    }
    let mut queued = vec![true; groups.len()];
    let mut queue: std::collections::VecDeque<usize> = (0..groups.len()).collect();
    // The fixed point is reached long before this; it only guards against a bug looping.
    let mut visits_left = groups.len().saturating_mul(10_000);
    let mut moved = Vec::new();
    while let Some(g) = queue.pop_front() {
        queued[g] = false;
        visits_left = visits_left.checked_sub(1)?;
        tighten(&mut b, &groups[g], &mut moved);
        for c in moved.drain(..) {
            for &h in &holding[c] {
                if !std::mem::replace(&mut queued[h], true) {
                    queue.push_back(h);
                }
            }
        }
    }
    Some(b)
}

/// One group's step of [`propagate`]: the total within the sum of its members' bounds, and
/// each member the total less the others. The cells whose bounds moved go to `moved`.
fn tighten(b: &mut [Bounds], g: &Group, moved: &mut Vec<usize>) {
    let lo_sum = sum_lo(g.members.iter().map(|m| b[*m].0));
    let unbounded = g.members.iter().filter(|m| b[**m].1.is_none()).count();
    let hi_sum = sum_lo(g.members.iter().filter_map(|m| b[*m].1));
    // The total lies within the sum of its members' bounds.
    let (tlo, thi) = b[g.total];
    let nlo = tlo.max(lo_sum);
    let nhi = match (thi, unbounded == 0) {
        (Some(t), true) => Some(t.min(hi_sum)),
        (None, true) => Some(hi_sum),
        (t, false) => t,
    };
    if (nlo, nhi) != (tlo, thi) {
        b[g.total] = (nlo, nhi);
        moved.push(g.total);
    }
    let (tlo, thi) = b[g.total];
    // Each member is the total less the others.
    for &m in &g.members {
        let (lo, hi) = b[m];
        let others_lo = lo_sum.saturating_sub(lo);
        let others_hi = match hi {
            Some(h) if unbounded == 0 => Some(hi_sum.saturating_sub(h)),
            None if unbounded == 1 => Some(hi_sum),
            _ => None,
        };
        let nlo = others_hi.map_or(lo, |oh| lo.max(tlo.saturating_sub(oh)));
        let nhi = match (hi, thi.map(|t| t.saturating_sub(others_lo))) {
            (Some(a), Some(c)) => Some(a.min(c)),
            (a, c) => a.or(c),
        };
        if (nlo, nhi) != (lo, hi) {
            b[m] = (nlo, nhi);
            moved.push(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: u32 = 3;

    fn restricted(v: &[usize]) -> Vec<Tally> {
        v.iter()
            .map(|r| Tally {
                clear: 0,
                restricted: *r,
            })
            .collect()
    }

    /// A group of `cells` adding up to a shown total, solved.
    fn one_group(cells: &[usize], total_given: bool) -> (Solution, Vec<usize>, usize) {
        let mut t = Table::new(N);
        let ids: Vec<usize> = restricted(cells).into_iter().map(|c| t.cell(c)).collect();
        let sum: usize = cells.iter().sum();
        let total = if total_given {
            // As the total's own table would show it.
            let bounds = if sum >= N as usize {
                (sum as u64, Some(sum as u64))
            } else {
                (0, Some(u64::from(N) - 1))
            };
            t.given(
                Tally {
                    clear: 0,
                    restricted: sum,
                },
                bounds,
            )
        } else {
            t.cell(Tally {
                clear: 0,
                restricted: sum,
            })
        };
        t.group(ids.clone(), total, false);
        (t.solve(), ids, total)
    }

    /// Whether some filling of the shown counts, each within its range, sets `cell` to 0
    /// while adding up to the total: the exhaustive check of what propagation promises.
    fn zero_possible(counts: &[Count], total: Count, cell: usize) -> bool {
        fn go(b: &[(u64, Option<u64>)], left: u64, skip: usize, i: usize) -> bool {
            if i == b.len() {
                return left == 0;
            }
            let (lo, hi) = if i == skip { (0, Some(0)) } else { b[i] };
            let top = hi.unwrap_or(left).min(left);
            (lo..=top).any(|v| go(b, left - v, skip, i + 1))
        }
        let b: Vec<_> = counts.iter().map(|c| c.bounds()).collect();
        let (tlo, thi) = total.bounds();
        (tlo..=thi.unwrap_or(tlo + 40)).any(|t| go(&b, t, cell, 0))
    }

    #[test]
    fn counts_read_as_ranges() {
        assert_eq!(Count::below(3).to_string(), "< 3");
        assert_eq!(Count::below(3).plus(2).to_string(), "2–4");
        assert_eq!(Count::at_least(3).to_string(), "≥ 3");
        assert_eq!(Count::WITHHELD.to_string(), "x");
        assert_eq!(Count::WITHHELD.plus(4).to_string(), "≥ 4");
        assert_eq!(Count::Shown(7).to_string(), "7");
        assert_eq!(Count::below(3).bounds(), (0, Some(2)));
        assert_eq!(serde_json::to_string(&Count::Shown(4)).expect("json"), "4");
        assert_eq!(
            serde_json::to_string(&Count::below(3).plus(1)).expect("json"),
            r#"{"min":1,"max":3}"#
        );
        assert_eq!(
            serde_json::to_string(&Count::at_least(3)).expect("json"),
            r#"{"min":3,"max":null}"#
        );
    }

    #[test]
    fn small_counts_and_zeros_look_alike() {
        let (s, ids, _) = one_group(&[0, 1, 2, 5, 9], false);
        let shown: Vec<Count> = ids.iter().map(|i| s.count(*i)).collect();
        assert_eq!(shown[0], shown[1]);
        assert_eq!(shown[1], shown[2]);
        assert_eq!(shown[0].to_string(), "< 3");
    }

    #[test]
    fn no_small_cell_of_a_group_can_be_proven_present() {
        // Every group of up to four cells with values up to 6, beside a shown total.
        let mut cells = [0usize; 4];
        for code in 0..7usize.pow(4) {
            let mut x = code;
            for c in cells.iter_mut() {
                *c = x % 7;
                x /= 7;
            }
            for len in 1..=4 {
                let v = &cells[..len];
                let (s, ids, total) = one_group(v, true);
                let counts: Vec<Count> = ids.iter().map(|i| s.count(*i)).collect();
                for (c, n) in counts.iter().zip(v) {
                    let (lo, hi) = c.bounds();
                    assert!(
                        *n as u64 >= lo && hi.is_none_or(|h| *n as u64 <= h),
                        "{v:?} → {counts:?}"
                    );
                }
                for (i, n) in v.iter().enumerate() {
                    if (1..3).contains(n) {
                        assert!(
                            zero_possible(&counts, s.count(total), i),
                            "{v:?} → {counts:?}: cell {i} is proven present"
                        );
                    }
                }
            }
        }
    }

    /// A grid of restricted counts (`rows` × `cols`, from a seed) with its row, column and
    /// grand totals: a month-by-category table in small.
    fn grid(rows: usize, cols: usize, seed: u64) -> (Table, Vec<usize>) {
        let mut t = Table::new(N);
        let mut x = seed;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Mostly small counts: what makes probing work hard.
            [0, 1, 1, 2, 2, 3, 5, 8][(x >> 61) as usize]
        };
        let v: Vec<Vec<usize>> = (0..rows).map(|_| (0..cols).map(|_| next()).collect()).collect();
        let ids: Vec<Vec<usize>> = v
            .iter()
            .map(|row| restricted(row).into_iter().map(|c| t.cell(c)).collect())
            .collect();
        let row_tot: Vec<usize> = v
            .iter()
            .map(|row| {
                t.cell(Tally {
                    clear: 0,
                    restricted: row.iter().sum(),
                })
            })
            .collect();
        let col_tot: Vec<usize> = (0..cols)
            .map(|c| {
                t.cell(Tally {
                    clear: 0,
                    restricted: v.iter().map(|row| row[c]).sum(),
                })
            })
            .collect();
        let all = t.cell(Tally {
            clear: 0,
            restricted: v.iter().flatten().sum(),
        });
        for (r, row) in ids.iter().enumerate() {
            t.group(row.clone(), row_tot[r], false);
        }
        for c in 0..cols {
            t.group(ids.iter().map(|row| row[c]).collect(), col_tot[c], false);
        }
        t.group(row_tot.clone(), all, false);
        t.group(col_tot, all, false);
        (t, ids.into_iter().flatten().collect())
    }

    /// Whether the grid's inner cell `cell` can be zero for a reader who knows only what
    /// `s` prints: every inner cell within its printed range, every total within its own.
    /// A plain search over the inner cells, independent of what [`Table::solve`] computes.
    /// `None` when the search would be too long for a test.
    fn grid_zero_possible(s: &Solution, rows: usize, cols: usize, cell: usize) -> Option<bool> {
        let printed = |c: usize| {
            let (lo, hi) = s.restricted(c).bounds();
            (lo, hi.unwrap_or(u64::MAX))
        };
        let row_tot = |r: usize| rows * cols + r;
        let col_tot = |c: usize| rows * cols + rows + c;
        let all = rows * cols + rows + cols;
        // A cell lies within its row's and its column's printed totals; where neither is
        // bounded, the search stops at the true grand total and N (a shorter search can only
        // fail the test, never pass it wrongly).
        let cap = s.tallies[all].restricted as u64 + u64::from(N);
        let range = |i: usize| {
            let (lo, hi) = printed(i);
            let hi = hi.min(printed(row_tot(i / cols)).1).min(printed(col_tot(i % cols)).1);
            (lo, hi.min(printed(all).1).min(cap))
        };
        fn go(
            i: usize,
            x: &mut Vec<u64>,
            dims: (usize, usize, usize),
            range: &dyn Fn(usize) -> (u64, u64),
            fits: &dyn Fn(&[u64]) -> bool,
        ) -> bool {
            let (rows, cols, cell) = dims;
            if i == rows * cols {
                return fits(x);
            }
            let (lo, hi) = if i == cell { (0, 0) } else { range(i) };
            let mut v = lo;
            while v <= hi {
                x.push(v);
                // A row is judged as soon as it is whole, the columns' sums on every step.
                let ok = fits(x);
                if ok && go(i + 1, x, dims, range, fits) {
                    return true;
                }
                x.pop();
                v += 1;
            }
            false
        }
        let within = |c: usize, v: u64| {
            let (lo, hi) = printed(c);
            lo <= v && v <= hi
        };
        let fits = |x: &[u64]| {
            let whole = x.len() / cols;
            let rows_fit = (0..whole).all(|r| within(row_tot(r), x[r * cols..(r + 1) * cols].iter().sum()));
            let col = |c: usize| {
                (0..)
                    .map(|r| r * cols + c)
                    .take_while(|i| *i < x.len())
                    .map(|i| x[i])
                    .sum::<u64>()
            };
            if x.len() < rows * cols {
                return rows_fit
                    && (0..cols).all(|c| col(c) <= printed(col_tot(c)).1)
                    && x.iter().sum::<u64>() <= printed(all).1;
            }
            rows_fit && (0..cols).all(|c| within(col_tot(c), col(c))) && within(all, x.iter().sum())
        };
        let size = (0..rows * cols)
            .map(|i| range(i).1.saturating_sub(range(i).0).saturating_add(1))
            .fold(1u64, u64::saturating_mul);
        (size <= 200_000).then(|| go(0, &mut Vec::new(), (rows, cols, cell), &range, &fits))
    }

    #[test]
    fn no_hidden_count_of_a_grid_can_be_proven_present_by_any_search() {
        let mut searched = 0;
        for seed in 1..400 {
            let (rows, cols) = (2 + (seed % 2) as usize, 3 + (seed % 3) as usize);
            let (t, cells) = grid(rows, cols, seed);
            let s = t.clone().solve();
            for c in cells {
                let hidden = (1..N as usize).contains(&t.tallies[c].restricted) && !s.shown(c);
                if hidden && s.vis(c) == Vis::Hidden {
                    let Some(possible) = grid_zero_possible(&s, rows, cols, c) else {
                        continue;
                    };
                    searched += 1;
                    assert!(
                        possible,
                        "seed {seed}: cell {c} ({} restricted) shown as {} is provably present",
                        t.tallies[c].restricted,
                        s.restricted(c)
                    );
                }
            }
        }
        assert!(searched > 100, "only {searched} hidden counts searched");
    }

    #[test]
    fn probing_that_runs_out_of_work_protects_more_never_less() {
        for seed in 1..6 {
            let (t, cells) = grid(8, 12, seed);
            let small: Vec<usize> = cells
                .iter()
                .copied()
                .filter(|c| (1..N as usize).contains(&t.tallies[*c].restricted))
                .collect();
            for work in [0, 1_000, SOLVE_WORK] {
                let s = t.clone().with_work(work).solve();
                for c in &small {
                    assert!(!s.shown(*c), "seed {seed}, work {work}: small cell {c} shown");
                    assert_eq!(s.bounds(*c).0, 0, "seed {seed}, work {work}: cell {c} proven present");
                }
                // Every cell stays within what is printed of it.
                for c in &cells {
                    let (lo, hi) = s.restricted(*c).bounds();
                    let v = t.tallies[*c].restricted as u64;
                    assert!(
                        v >= lo && hi.is_none_or(|h| v <= h),
                        "seed {seed}, work {work}: cell {c}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_smallest_shown_cell_is_withdrawn_first() {
        let (s, ids, _) = one_group(&[2, 5, 9], true);
        let counts: Vec<String> = ids.iter().map(|i| s.count(*i).to_string()).collect();
        assert_eq!(counts, ["< 3", "≥ 3", "9"]);
        // A hidden zero beside it is protection enough: 2 + 0 could be 1 + 1 or 0 + 2.
        let (s, ids, _) = one_group(&[2, 5, 9, 0], true);
        let counts: Vec<String> = ids.iter().map(|i| s.count(*i).to_string()).collect();
        assert_eq!(counts, ["< 3", "5", "9", "< 3"]);
    }

    #[test]
    fn a_label_over_months_is_not_proven_present_in_the_rest_of_a_quarter() {
        // One category: quarter 5 = January 4 + February 1 + March 0; January alone would
        // show that February and March hold one of them.
        let mut t = Table::new(N);
        let months: Vec<usize> = restricted(&[4, 1, 0]).into_iter().map(|c| t.cell(c)).collect();
        let q = t.cell(Tally {
            clear: 0,
            restricted: 5,
        });
        t.group(months.clone(), q, true);
        let s = t.solve();
        assert!(s.shown(q));
        assert!(!s.shown(months[0]), "January is withdrawn with February and March");
    }

    #[test]
    fn a_count_pinned_through_a_chain_of_sums_is_withdrawn_at_its_end() {
        // One category: all time 3 = the only year 3 = Q1 2 + Q2 1. Withdrawing the year
        // alone does nothing while all time, a sum of the one year, is shown.
        let mut t = Table::new(N);
        let q: Vec<usize> = restricted(&[2, 1]).into_iter().map(|c| t.cell(c)).collect();
        let year = t.cell(Tally {
            clear: 0,
            restricted: 3,
        });
        let all = t.cell(Tally {
            clear: 0,
            restricted: 3,
        });
        t.group(q.clone(), year, true);
        t.group(vec![year], all, true);
        let s = t.solve();
        assert_eq!(
            s.bounds(q[0]).0,
            0,
            "{:?}",
            (0..4).map(|i| s.vis(i)).collect::<Vec<_>>()
        );
        assert!(!s.shown(all));
    }

    #[test]
    fn linked_groups_are_protected_together() {
        // total = a + b + c; open = a + b; a small: hiding only c would let open give a away.
        let mut t = Table::new(N);
        let ids: Vec<usize> = restricted(&[19, 13, 1, 12, 6]).into_iter().map(|c| t.cell(c)).collect();
        t.group(vec![ids[2], ids[3], ids[4]], ids[0], false);
        t.group(vec![ids[2], ids[3]], ids[1], false);
        let s = t.solve();
        assert_eq!(s.count(ids[2]).to_string(), "< 3");
        assert_eq!(
            s.bounds(ids[2]).0,
            0,
            "{:?}",
            (0..5).map(|i| s.vis(i)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn listed_incidents_are_added_to_the_shown_range() {
        let mut t = Table::new(N);
        let a = t.cell(Tally {
            clear: 4,
            restricted: 1,
        });
        let b = t.cell(Tally {
            clear: 2,
            restricted: 0,
        });
        let c = t.cell(Tally {
            clear: 0,
            restricted: 7,
        });
        let s = t.solve();
        assert_eq!(s.count(a).to_string(), "4–6");
        assert_eq!(s.count(b).to_string(), "2–4");
        assert_eq!(s.count(c), Count::Shown(7));
        assert_eq!(s.restricted(a).to_string(), "< 3");
    }

    #[test]
    fn the_internal_edition_shows_every_number() {
        let mut t = Table::new(0);
        let a = t.cell(Tally {
            clear: 0,
            restricted: 1,
        });
        let b = t.derived(Tally {
            clear: 1,
            restricted: 1,
        });
        t.group(vec![a], b, false);
        let s = t.solve();
        assert_eq!((s.count(a), s.count(b)), (Count::Shown(1), Count::Shown(2)));
    }

    #[test]
    fn a_derived_cell_is_protected_like_a_printed_one() {
        // reported 10 = in scope 5 + out of scope 4 + not yet triaged 1 (never printed).
        let mut t = Table::new(N);
        let reported = t.given(
            Tally {
                clear: 0,
                restricted: 10,
            },
            (10, Some(10)),
        );
        let cells: Vec<usize> = restricted(&[5, 4]).into_iter().map(|c| t.cell(c)).collect();
        let untriaged = t.derived(Tally {
            clear: 0,
            restricted: 1,
        });
        t.group(vec![cells[0], cells[1], untriaged], reported, false);
        let s = t.solve();
        assert_eq!(s.bounds(untriaged).0, 0);
        assert!(!s.shown(cells[1]));
    }
}
