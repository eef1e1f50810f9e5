//! The contact graph engine: how two members are connected, in microseconds.
//!
//! `entremise-graph` holds the whole contact graph in memory and answers the
//! questions the product asks on every profile view: the degree of separation
//! between two members (capped at 3), their mutual contacts, the introduction
//! paths between them, the size of a member's 2nd degree, people they may know,
//! and a shortest path of up to 4 hops. It is a pure library: no IO, no async,
//! no knowledge of privacy. The caller passes in, with each query, which
//! members may be traversed ([`Snapshot::degree`] and friends take a filter)
//! and, where relevant, the weights of contacts and boosts of candidates.
//!
//! # Layout
//!
//! * Members are known to the caller by *external* ids (`u64`, the store's row
//!   ids) and mapped to *dense* ids `0..n` (`u32`) on the way in
//!   ([`Snapshot::dense`], [`Snapshot::external`]). Queries speak dense ids.
//! * The compacted graph is a CSR: every member's sorted neighbour list lives in
//!   one contiguous `Vec<u32>`, delimited by a `Vec<u32>` of offsets.
//! * Changes since the last compaction live in a small overlay that replaces
//!   the neighbour list of each touched member, so a change is visible to the
//!   very next query.
//! * [`ContactGraph`] is the shared, `Send + Sync` handle: readers take a
//!   cheap [`Snapshot`] (an `Arc`), one writer at a time publishes a new
//!   snapshot, and [`ContactGraph::compact`] folds the overlay into a new CSR
//!   off to the side and swaps it in without blocking readers.
//! * Queries reuse a caller-owned [`Searcher`] (epoch-stamped visited arrays,
//!   cache-resident bitmaps, frontier buffers) so that they allocate nothing
//!   on the hot path.
//!
//! # Example
//!
//! ```
//! use entremise_graph::{GraphBuilder, Searcher};
//!
//! let mut builder = GraphBuilder::new();
//! for (a, b) in [(10, 20), (20, 30), (30, 40), (10, 21), (21, 30)] {
//!     builder.add_contact(a, b);
//! }
//! let graph = builder.build().unwrap();
//! let snapshot = graph.snapshot();
//! let mut searcher = Searcher::new();
//! let (ada, dan) = (snapshot.dense(10).unwrap(), snapshot.dense(40).unwrap());
//! let everyone = |_member: u32| true;
//! assert_eq!(snapshot.degree(&mut searcher, ada, dan, everyone), Some(3));
//!
//! // A contact added now is seen by the next query.
//! graph.add_contact(10, 40);
//! assert_eq!(graph.snapshot().degree(&mut searcher, ada, dan, everyone), Some(1));
//! ```

#![warn(missing_docs)]

mod baseline;
mod builder;
mod csr;
mod generate;
mod graph;
mod hash;
mod ids;
mod intersect;
mod overlay;
mod parse;
mod rng;
mod search;
mod snapshot;

pub use baseline::Baseline;
pub use builder::{BuildError, GraphBuilder};
pub use generate::{ReferenceNetwork, generate_reference_network};
pub use graph::{ContactGraph, Update};
pub use parse::{EdgeListParser, ParseError};
pub use rng::Rng;
pub use search::{IntroductionPaths, PathCount, ScoredPath, Searcher, Suggestion, with_searcher};
pub use snapshot::Snapshot;

/// A member's dense id inside one graph: `0..member_count`, stable for the
/// lifetime of the [`ContactGraph`] (compaction never renumbers).
pub type Member = u32;

/// A member's external id, as the caller knows it (for example a store row id).
pub type ExternalId = u64;

/// The longest degree of separation [`Snapshot::degree`] looks for.
pub const MAX_DEGREE: u32 = 3;
