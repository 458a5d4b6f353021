//! Index-based adjacency for the heavy walks: compressed rows of neighbour indices, each row in
//! [`crate::blockers::BlockerRef`] order (node indices follow that order), and the shared
//! breadth-first walk.

/// Neighbours of every node as one flat array (`targets[offsets[i]..offsets[i + 1]]`).
#[derive(Debug, Clone, Default)]
pub(super) struct Csr {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Csr {
    /// From `(node, neighbour)` pairs; duplicates are dropped and each row sorted.
    pub(super) fn build(nodes: usize, mut pairs: Vec<(u32, u32)>) -> Self {
        pairs.sort_unstable();
        pairs.dedup();
        let mut offsets = vec![0u32; nodes + 1];
        for &(a, _) in &pairs {
            offsets[a as usize + 1] += 1;
        }
        for i in 0..nodes {
            offsets[i + 1] += offsets[i];
        }
        let targets = pairs.into_iter().map(|(_, b)| b).collect();
        Self { offsets, targets }
    }

    pub(super) fn of(&self, node: u32) -> &[u32] {
        let i = node as usize;
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Breadth-first from `starts` (listed first, once each) for at most `depth` steps along the
/// rows of `adj` (in that order); a neighbour is listed and walked past only when `admit`
/// holds. Returns the nodes in visiting order.
pub(super) fn bfs(
    nodes: usize,
    starts: &[u32],
    depth: usize,
    adj: &[&Csr],
    mut admit: impl FnMut(u32) -> bool,
) -> Vec<u32> {
    let mut seen = vec![false; nodes];
    let mut order = Vec::with_capacity(starts.len());
    for &s in starts {
        if !seen[s as usize] {
            seen[s as usize] = true;
            order.push(s);
        }
    }
    let mut head = 0;
    let mut level = 0;
    while level < depth && head < order.len() {
        let end = order.len();
        while head < end {
            let u = order[head];
            head += 1;
            for rows in adj {
                for &v in rows.of(u) {
                    if !seen[v as usize] && admit(v) {
                        seen[v as usize] = true;
                        order.push(v);
                    }
                }
            }
        }
        level += 1;
    }
    order
}

/// A shortest path from `from` to `to` along `adj` (both ends included), neighbours tried in
/// row order so that the path is deterministic.
pub(super) fn shortest_path(nodes: usize, from: u32, to: u32, adj: &Csr) -> Option<Vec<u32>> {
    const NONE: u32 = u32::MAX;
    let mut parent = vec![NONE; nodes];
    parent[from as usize] = from;
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(u) = queue.pop_front() {
        if u == to {
            let mut path = vec![to];
            let mut at = to;
            while at != from {
                at = parent[at as usize];
                path.push(at);
            }
            path.reverse();
            return Some(path);
        }
        for &v in adj.of(u) {
            if parent[v as usize] == NONE {
                parent[v as usize] = u;
                queue.push_back(v);
            }
        }
    }
    None
}
