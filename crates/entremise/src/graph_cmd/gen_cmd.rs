//! `entremise graph gen`.
use std::io::{BufWriter, Write};

use anyhow::{Context, ensure};
use entremise_graph::{ReferenceNetwork, generate_reference_network};

use super::GenArgs;

pub fn run(args: &GenArgs) -> anyhow::Result<()> {
    ensure!(args.avg_degree >= 0.0, "--avg-degree must not be negative");
    let params = ReferenceNetwork {
        members: args.members,
        avg_degree: args.avg_degree,
        seed: args.seed,
    };
    let contacts = generate_reference_network(params);
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    writeln!(
        out,
        "# entremise reference network: members={} avg-degree={} seed={} contacts={}",
        args.members,
        args.avg_degree,
        args.seed,
        contacts.len()
    )?;
    let mut line = Vec::with_capacity(32);
    for (a, b) in contacts {
        line.clear();
        push_decimal(&mut line, a);
        line.push(b' ');
        push_decimal(&mut line, b);
        line.push(b'\n');
        out.write_all(&line).context("writing the edge list")?;
    }
    out.flush().context("writing the edge list")?;
    Ok(())
}

fn push_decimal(buf: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}
