//! Reading and writing the DIMACS min-cost-flow text format (see the [module docs](super)).

use super::{FlowNetwork, Node};
use std::io::{self, Write};

/// A malformed DIMACS file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DIMACS line {line}: {message}")]
pub struct DimacsError {
    /// 1-based line number of the offending line; for a problem with the file as a whole (no
    /// problem line, no source or sink, too few arcs) the number of the line after the last.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl FlowNetwork {
    /// Writes the network as a DIMACS min-cost-flow file with `source` and `sink` marked by
    /// `c source N` / `c sink N` comment lines (1-based). Arcs with an end outside the network
    /// (see the [module docs](super)) are left out.
    pub fn write_dimacs(&self, source: Node, sink: Node, out: &mut impl Write) -> io::Result<()> {
        let n = self.nodes;
        let valid = |a: &&super::ArcData| a.from < n && a.to < n;
        let arcs = self.arcs.iter().filter(valid).count();
        let mut out = io::BufWriter::new(out);
        writeln!(out, "c Hourbook min-cost max-flow instance")?;
        writeln!(out, "c source {}", source + 1)?;
        writeln!(out, "c sink {}", sink + 1)?;
        writeln!(out, "p min {n} {arcs}")?;
        for a in self.arcs.iter().filter(valid) {
            writeln!(
                out,
                "a {} {} 0 {} {}",
                a.from + 1,
                a.to + 1,
                a.capacity.max(0),
                a.cost
            )?;
        }
        out.flush()
    }

    /// Reads a DIMACS min-cost-flow file (see the [module docs](super)) and returns the network
    /// with its source and sink (0-based). Arcs keep the file's order, so the k-th `a` line is
    /// the arc with index k.
    pub fn read_dimacs(input: &str) -> Result<(FlowNetwork, Node, Node), DimacsError> {
        let mut network: Option<FlowNetwork> = None;
        let mut declared_arcs = 0usize;
        let mut source: Option<Node> = None;
        let mut sink: Option<Node> = None;
        let mut last_line = 0;
        for (index, text) in input.lines().enumerate() {
            let line = index + 1;
            last_line = line;
            let err = |message: String| DimacsError { line, message };
            let mut fields = text.split_ascii_whitespace();
            let Some(kind) = fields.next() else {
                continue;
            };
            match kind {
                "c" => {
                    let role = fields.next();
                    if !matches!(role, Some("source" | "sink")) {
                        continue;
                    }
                    let n = network
                        .as_ref()
                        .map(FlowNetwork::node_count)
                        .unwrap_or(usize::MAX);
                    let node = fields.next().ok_or_else(|| {
                        err(format!("`c {}` needs a node number", role.unwrap_or("")))
                    });
                    let node = parse_node(node?, n, line)?;
                    let slot = if role == Some("source") {
                        &mut source
                    } else {
                        &mut sink
                    };
                    set_once(slot, node, role.unwrap_or(""), line)?;
                }
                "p" => {
                    if network.is_some() {
                        return Err(err("a second problem line".into()));
                    }
                    let fields: Vec<&str> = fields.collect();
                    let [problem, nodes, arcs] = fields[..] else {
                        return Err(err("expected `p min NODES ARCS`".into()));
                    };
                    if problem != "min" {
                        return Err(err(format!("problem type `{problem}`, expected `min`")));
                    }
                    let nodes: usize = parse(nodes, "node count", line)?;
                    declared_arcs = parse(arcs, "arc count", line)?;
                    for (role, node) in [("source", source), ("sink", sink)] {
                        if node.is_some_and(|v| v >= nodes) {
                            return Err(err(format!("the {role} is not among the {nodes} nodes")));
                        }
                    }
                    let mut net = FlowNetwork::new(nodes);
                    net.arcs.reserve(declared_arcs.min(1 << 24));
                    net.flows.reserve(declared_arcs.min(1 << 24));
                    network = Some(net);
                }
                "n" => {
                    let Some(net) = network.as_ref() else {
                        return Err(err("`n` line before the problem line".into()));
                    };
                    let fields: Vec<&str> = fields.collect();
                    let [node, supply] = fields[..] else {
                        return Err(err("expected `n NODE SUPPLY`".into()));
                    };
                    let node = parse_node(node, net.node_count(), line)?;
                    let supply: i64 = parse(supply, "supply", line)?;
                    match supply.signum() {
                        1 => set_once(&mut source, node, "source", line)?,
                        -1 => set_once(&mut sink, node, "sink", line)?,
                        _ => {}
                    }
                }
                "a" => {
                    let Some(net) = network.as_mut() else {
                        return Err(err("arc before the problem line".into()));
                    };
                    let fields: Vec<&str> = fields.collect();
                    let [from, to, low, cap, cost] = fields[..] else {
                        return Err(err("expected `a FROM TO LOW CAP COST`".into()));
                    };
                    if net.arc_count() == declared_arcs {
                        return Err(err(format!("more arcs than the {declared_arcs} declared")));
                    }
                    let n = net.node_count();
                    let from = parse_node(from, n, line)?;
                    let to = parse_node(to, n, line)?;
                    let low: i64 = parse(low, "lower bound", line)?;
                    if low != 0 {
                        return Err(err(format!("lower bound {low}: only 0 is supported")));
                    }
                    let cap: i64 = parse(cap, "capacity", line)?;
                    if cap < 0 {
                        return Err(err(format!("negative capacity {cap}")));
                    }
                    let cost: i64 = parse(cost, "cost", line)?;
                    net.add_arc(from, to, cap, cost);
                }
                other => return Err(err(format!("unknown line type `{other}`"))),
            }
        }
        let end = last_line + 1;
        let err = |message: &str| DimacsError {
            line: end,
            message: message.into(),
        };
        let network = network.ok_or_else(|| err("no problem line `p min NODES ARCS`"))?;
        if network.arc_count() != declared_arcs {
            return Err(err(&format!(
                "{} arcs, but the problem line declares {declared_arcs}",
                network.arc_count()
            )));
        }
        let source = source.ok_or_else(|| err("no source (`c source N`)"))?;
        let sink = sink.ok_or_else(|| err("no sink (`c sink N`)"))?;
        Ok((network, source, sink))
    }
}

fn parse<T: std::str::FromStr>(text: &str, what: &str, line: usize) -> Result<T, DimacsError> {
    text.parse().map_err(|_| DimacsError {
        line,
        message: format!("bad {what} `{text}`"),
    })
}

/// A 1-based node number, checked against `n` nodes, as a 0-based index.
fn parse_node(text: &str, n: usize, line: usize) -> Result<Node, DimacsError> {
    let node: usize = parse(text, "node", line)?;
    if node == 0 || node > n {
        let known = if n == usize::MAX {
            String::new()
        } else {
            format!(" (1..={n})")
        };
        return Err(DimacsError {
            line,
            message: format!("node {node} out of range{known}"),
        });
    }
    Ok(node - 1)
}

fn set_once(
    slot: &mut Option<Node>,
    node: Node,
    role: &str,
    line: usize,
) -> Result<(), DimacsError> {
    match slot {
        Some(old) if *old != node => Err(DimacsError {
            line,
            message: format!("a second {role}: {} after {}", node + 1, *old + 1),
        }),
        _ => {
            *slot = Some(node);
            Ok(())
        }
    }
}
