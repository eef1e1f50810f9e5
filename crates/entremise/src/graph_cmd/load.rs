//! Reading edge-list files into the engine, with progress on standard error.
use std::cell::Cell;
use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use entremise_graph::{EdgeListParser, ExternalId};

const BLOCK: usize = 16 << 20;

/// Reads every edge of `path`, calling `edge` for each, showing progress.
pub fn read_edges(
    path: &Path,
    mut edge: impl FnMut(ExternalId, ExternalId),
) -> anyhow::Result<u64> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut parser = EdgeListParser::new();
    let mut buf = vec![0u8; BLOCK];
    let mut filled = 0;
    let mut done: u64 = 0;
    let mut edges = 0u64;
    let progress = Progress::new(path, total);
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let read = file
            .read(&mut buf[filled..])
            .with_context(|| format!("reading {}", path.display()))?;
        filled += read;
        let at_end = read == 0;
        // Parse whole lines; keep a partial last line for the next block.
        let cut = if at_end {
            filled
        } else {
            match buf[..filled].iter().rposition(|&c| c == b'\n') {
                Some(p) => p + 1,
                None => continue,
            }
        };
        // Parse the two halves of the block on two threads; the second half's
        // line numbers are offset once the first half's line count is known.
        let block = &buf[..cut];
        let middle = block[..block.len() / 2]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let (first, second) = block.split_at(middle);
        let mut second_parser = EdgeListParser::new();
        let mut second_edges = Vec::with_capacity(second.len() / 12);
        let (first_result, second_result) = std::thread::scope(|scope| {
            let worker =
                scope.spawn(|| second_parser.parse(second, |a, b| second_edges.push((a, b))));
            let first_result = parser.parse(first, |a, b| {
                edges += 1;
                edge(a, b)
            });
            (first_result, worker.join().expect("parser thread"))
        });
        let located = |e: entremise_graph::ParseError, offset: u64| {
            anyhow::anyhow!("{}:{}: {}", path.display(), e.line + offset, e.message)
        };
        first_result.map_err(|e| located(e, 0))?;
        second_result.map_err(|e| located(e, parser.lines()))?;
        edges += second_edges.len() as u64;
        for (a, b) in second_edges {
            edge(a, b);
        }
        parser.skip_lines(second_parser.lines());
        buf.copy_within(cut..filled, 0);
        filled -= cut;
        done += cut as u64;
        progress.show(done);
        if at_end {
            break;
        }
    }
    progress.finish(edges);
    Ok(edges)
}

struct Progress<'a> {
    path: &'a Path,
    total: u64,
    start: Instant,
    tty: bool,
    last_quarter: Cell<u64>,
}

impl<'a> Progress<'a> {
    fn new(path: &'a Path, total: u64) -> Self {
        Progress {
            path,
            total,
            start: Instant::now(),
            tty: std::io::stderr().is_terminal(),
            last_quarter: Cell::new(0),
        }
    }

    fn show(&self, done: u64) {
        if self.total == 0 {
            return;
        }
        if !self.tty {
            // Logs get a line per quarter, not a stream of carriage returns.
            let quarter = done * 4 / self.total;
            if quarter > self.last_quarter.get() && quarter < 4 {
                self.last_quarter.set(quarter);
                eprintln!("loading {}: {}%", self.path.display(), quarter * 25);
            }
            return;
        }
        {
            eprint!(
                "\rloading {}: {:>3}% ({} of {} MiB)",
                self.path.display(),
                done * 100 / self.total,
                done >> 20,
                self.total >> 20
            );
        }
    }

    fn finish(&self, edges: u64) {
        if self.tty {
            eprint!("\r\x1b[K");
        }
        eprintln!(
            "loaded {}: {} contact lines, {} MiB in {:.2} s",
            self.path.display(),
            edges,
            self.total >> 20,
            self.start.elapsed().as_secs_f64()
        );
    }
}
