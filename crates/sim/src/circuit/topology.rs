//! Graph checks that find the topologies a state-space model cannot describe.
//!
//! A loop made only of voltage-defined branches (voltage sources, capacitors, VCVS,
//! CCVS) over-determines its voltages, and in a loop of capacitors the capacitor
//! voltages are not independent states. Dually, a cut-set made only of
//! current-defined branches (inductors, current sources, CCCS, VCCS) over-determines
//! its currents. Both make the MNA matrix singular; naming the elements involved is far
//! more useful than reporting a singular matrix.

/// Union-find over node indices.
pub(crate) struct DisjointSets {
    parent: Vec<usize>,
}

impl DisjointSets {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    pub(crate) fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns false when they were already joined.
    pub(crate) fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        self.parent[ra] = rb;
        true
    }
}

/// An edge of the circuit graph: `(n_pos, n_neg, element name)`.
pub(crate) type Edge<'a> = (usize, usize, &'a str);

/// Finds a loop made only of `edges` and returns the names of the elements on it.
///
/// Edges are added one by one to a spanning forest; the first edge that closes a cycle
/// is reported together with the forest path between its ends.
pub(crate) fn find_loop(node_count: usize, edges: &[Edge<'_>]) -> Option<Vec<String>> {
    let mut sets = DisjointSets::new(node_count);
    let mut forest: Vec<Edge<'_>> = Vec::new();
    for &(a, b, name) in edges {
        if a == b {
            return Some(vec![name.to_string()]);
        }
        if sets.union(a, b) {
            forest.push((a, b, name));
            continue;
        }
        let mut names = path_in_forest(node_count, &forest, a, b);
        names.push(name.to_string());
        return Some(names);
    }
    None
}

/// Element names on the path from `from` to `to` in a forest (breadth-first search).
fn path_in_forest(node_count: usize, forest: &[Edge<'_>], from: usize, to: usize) -> Vec<String> {
    let mut previous: Vec<Option<(usize, usize)>> = vec![None; node_count];
    let mut visited = vec![false; node_count];
    let mut queue = std::collections::VecDeque::from([from]);
    visited[from] = true;
    while let Some(node) = queue.pop_front() {
        if node == to {
            break;
        }
        for (edge_index, &(a, b, _)) in forest.iter().enumerate() {
            let next = if a == node {
                b
            } else if b == node {
                a
            } else {
                continue;
            };
            if !visited[next] {
                visited[next] = true;
                previous[next] = Some((node, edge_index));
                queue.push_back(next);
            }
        }
    }
    let mut names = Vec::new();
    let mut node = to;
    while let Some((prev, edge_index)) = previous[node] {
        names.push(forest[edge_index].2.to_string());
        node = prev;
    }
    names.reverse();
    names
}

/// Finds nodes that are cut off from ground when only `connecting` edges count, and
/// returns them with the `cutting` edges that cross the cut.
///
/// `connecting` are branches that impose no current (resistors, capacitors, voltage
/// sources, switches, diodes); `cutting` are current-defined branches. A node reached
/// only through current-defined branches has its KCL fixed by those currents alone.
pub(crate) fn find_cut_set(
    node_count: usize,
    connecting: &[(usize, usize)],
    cutting: &[Edge<'_>],
) -> Option<(Vec<usize>, Vec<String>)> {
    let mut sets = DisjointSets::new(node_count);
    for &(a, b) in connecting {
        sets.union(a, b);
    }
    let ground = sets.find(0);
    let isolated: Vec<usize> = (1..node_count)
        .filter(|&n| sets.find(n) != ground)
        .collect();
    let &first = isolated.first()?;
    let group = sets.find(first);
    let nodes: Vec<usize> = isolated
        .iter()
        .copied()
        .filter(|&n| sets.find(n) == group)
        .collect();
    let names = cutting
        .iter()
        .filter(|&&(a, b, _)| (sets.find(a) == group) != (sets.find(b) == group))
        .map(|&(_, _, name)| name.to_string())
        .collect();
    Some((nodes, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_parallel_capacitors() {
        let edges = [(1, 0, "V1"), (1, 2, "R1"), (2, 0, "C1"), (2, 0, "C2")];
        // R1 is not voltage-defined: pass only the voltage-defined edges.
        let voltage_defined: Vec<_> = edges.iter().copied().filter(|e| e.2 != "R1").collect();
        let found = find_loop(3, &voltage_defined).unwrap();
        assert_eq!(found, vec!["C1".to_string(), "C2".to_string()]);
    }

    #[test]
    fn finds_series_inductors() {
        // L1 from 1 to 2 and L2 from 2 to 3, with node 2 touching nothing else.
        let connecting = [(1, 0), (3, 0)];
        let cutting = [(1, 2, "L1"), (2, 3, "L2")];
        let (nodes, names) = find_cut_set(4, &connecting, &cutting).unwrap();
        assert_eq!(nodes, vec![2]);
        assert_eq!(names, vec!["L1".to_string(), "L2".to_string()]);
    }

    #[test]
    fn accepts_proper_graph() {
        assert!(find_loop(3, &[(1, 0, "V1"), (2, 0, "C1")]).is_none());
        assert!(find_cut_set(3, &[(1, 0), (1, 2)], &[(2, 0, "L1")]).is_none());
    }
}
