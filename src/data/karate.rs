//! Zachary's karate club (1977): 34 members, 78 ties, and the faction each
//! member took when the club split between the instructor, Mr. Hi (node 0),
//! and the officer (node 33). The standard node-classification benchmark:
//! predict the faction from the graph (Kipf & Welling 2017 use it with
//! one-hot node features).
//!
//! The data ship in `karate-club.txt` next to this file (public domain),
//! numbered, labelled and weighted exactly as networkx's
//! `karate_club_graph()`: factions of 17 (Mr. Hi) and 17 (Officer).

use super::graphs::Graph;
use crate::{Error, Result};

/// The data file, compiled in.
pub const KARATE_CLUB_TXT: &str = include_str!("karate-club.txt");

/// Node of the instructor, Mr. Hi.
pub const MR_HI: usize = 0;
/// Node of the club's officer (John A.).
pub const OFFICER: usize = 33;
/// Faction names by label.
pub const FACTIONS: [&str; 2] = ["Mr. Hi", "Officer"];

/// The club's graph, ties' weights and factions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KarateClub {
    pub graph: Graph,
    /// (u, v, weight) for every tie, u < v: the number of contexts in which
    /// u and v interacted (1 to 7).
    pub weighted_edges: Vec<(usize, usize, u32)>,
    /// `factions[i]` is 0 (Mr. Hi) or 1 (Officer).
    pub factions: Vec<usize>,
}

/// The karate club from the compiled-in data file.
pub fn karate_club() -> KarateClub {
    // The file is part of the source; its tests check it parses.
    parse_karate_club(KARATE_CLUB_TXT).expect("karate-club.txt is malformed")
}

/// Parses the format of `karate-club.txt`: `#` comments, one `nodes N`
/// line, a `faction i f` line per node, `edge u v w` lines.
pub fn parse_karate_club(text: &str) -> Result<KarateClub> {
    let bad = |why: String| Error::Data {
        what: "karate club".into(),
        why,
    };
    let mut n = None;
    let mut factions: Vec<Option<usize>> = Vec::new();
    let mut weighted_edges = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let int = |s: &str| {
            s.parse::<usize>()
                .map_err(|_| bad(format!("line {}: {s:?} is not a number", number + 1)))
        };
        match (fields[0], fields.len(), n) {
            ("nodes", 2, None) => {
                let count = int(fields[1])?;
                n = Some(count);
                factions = vec![None; count];
            }
            ("faction", 3, Some(count)) => {
                let (i, f) = (int(fields[1])?, int(fields[2])?);
                if i >= count || f >= FACTIONS.len() || factions[i].is_some() {
                    return Err(bad(format!("line {}: bad faction line", number + 1)));
                }
                factions[i] = Some(f);
            }
            ("edge", 4, Some(count)) => {
                let (u, v, w) = (int(fields[1])?, int(fields[2])?, int(fields[3])?);
                let weight = u32::try_from(w).unwrap_or(0);
                if u >= v || v >= count || weight == 0 {
                    return Err(bad(format!("line {}: bad edge line", number + 1)));
                }
                weighted_edges.push((u, v, weight));
            }
            _ => return Err(bad(format!("line {}: unexpected {line:?}", number + 1))),
        }
    }
    let n = n.ok_or_else(|| bad("no `nodes` line".into()))?;
    let factions = factions
        .into_iter()
        .enumerate()
        .map(|(i, f)| f.ok_or_else(|| bad(format!("node {i} has no faction"))))
        .collect::<Result<Vec<usize>>>()?;
    let pairs: Vec<(usize, usize)> = weighted_edges.iter().map(|&(u, v, _)| (u, v)).collect();
    let graph = Graph::from_edges(n, &pairs)?;
    if graph.edge_count() != pairs.len() {
        return Err(bad("an edge is listed twice".into()));
    }
    Ok(KarateClub {
        graph,
        weighted_edges,
        factions,
    })
}
