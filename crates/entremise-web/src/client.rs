//! Who the client is, for rate limits: the socket peer, or, when that peer
//! is a proxy we trust, the address the proxies say they received the
//! request from.

use axum::http::HeaderMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// A range of addresses in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a
/// bare address is a range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

/// A range that does not parse; it names the bad entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadIpNet(pub String);

impl fmt::Display for BadIpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an address range such as 10.0.0.0/8 or fd00::/8",
            self.0
        )
    }
}

impl std::error::Error for BadIpNet {}

impl FromStr for IpNet {
    type Err = BadIpNet;

    fn from_str(s: &str) -> Result<Self, BadIpNet> {
        let bad = || BadIpNet(s.to_owned());
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            // Digits only: no sign, no spaces.
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().map_err(|_| bad())?
            }
            Some(_) => return Err(bad()),
        };
        if prefix > max {
            return Err(bad());
        }
        Ok(Self {
            addr: mask(addr, prefix),
            prefix,
        })
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl IpNet {
    /// Whether `ip` is in the range (an IPv4 address written as IPv6,
    /// `::ffff:a.b.c.d`, is the IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        ip.is_ipv4() == self.addr.is_ipv4() && mask(ip, self.prefix) == self.addr
    }
}

/// `ip` with all but its first `prefix` bits cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let keep = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(bits & keep))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let keep = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(bits & keep))
        }
    }
}

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    proxies.iter().any(|net| net.contains(ip))
}

/// The addresses a request went through, as the proxies recorded them,
/// client first: `X-Forwarded-For`, else the `for=` of `Forwarded`. An
/// entry that is no address (`unknown`, an obfuscated name) is `None`.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if !xff.is_empty() {
        return xff.into_iter().map(parse_node).collect();
    }
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (ip, _port) = rest.split_once(']')?;
        return ip.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let (ip, _port) = node.rsplit_once(':')?;
    ip.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The client's address: the socket peer, unless that peer is a trusted
/// proxy; then the right-most address of the forwarding chain that is not
/// itself a trusted proxy. Reading stops at an entry that is no address:
/// the last trusted hop is then the client. Headers from any other peer
/// are ignored, so a client cannot choose its own address.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted(client, proxies) {
        return client;
    }
    for hop in forwarded_chain(headers).into_iter().rev() {
        let Some(hop) = hop else { break };
        client = hop.to_canonical();
        if !trusted(client, proxies) {
            break;
        }
    }
    client
}

/// The key rate limits count a client under: an IPv4 address, or the /64
/// of an IPv6 one (a host is given a whole /64 and could otherwise rotate
/// through it).
pub fn rate_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        v6 @ IpAddr::V6(_) => format!("{}/64", mask(v6, 64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn ranges_parse_by_the_book() {
        let net: IpNet = "10.1.2.3/8".parse().unwrap();
        assert_eq!(net.to_string(), "10.0.0.0/8");
        assert!(net.contains(ip("10.255.0.1")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.0.0.9")));
        let one: IpNet = "192.0.2.1".parse().unwrap();
        assert_eq!(one.to_string(), "192.0.2.1/32");
        assert!(one.contains(ip("192.0.2.1")) && !one.contains(ip("192.0.2.2")));
        let v6: IpNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")) && !all.contains(ip("::1")));
        assert_eq!("::1".parse::<IpNet>().unwrap().to_string(), "::1/128");
        assert!("::/0".parse::<IpNet>().unwrap().contains(ip("2001:db8::1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/ 8",
            "10.0.0/8",
            "example.org",
            "10.0.0.0/8/8",
            "10.0.0.0/256",
        ] {
            let err = bad.parse::<IpNet>().unwrap_err();
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let proxies = nets(&["10.0.0.0/8", "fd00::/8"]);
        let xff = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.5")]);
        // A client that is no proxy cannot choose its address.
        assert_eq!(client_ip(ip("192.0.2.9"), &xff, &proxies), ip("192.0.2.9"));
        assert_eq!(client_ip(ip("10.0.0.2"), &xff, &[]), ip("10.0.0.2"));
        // Behind a proxy: the right-most address it did not add itself.
        assert_eq!(client_ip(ip("10.0.0.2"), &xff, &proxies), ip("203.0.113.5"));
        // Through two proxies, the second appending the first.
        let two = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.5, 10.0.0.3")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &two, &proxies), ip("203.0.113.5"));
        // Several header lines are one list.
        let lines = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "203.0.113.5"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &lines, &proxies),
            ip("203.0.113.5")
        );
        // No header, or only proxies: the last trusted hop.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &HeaderMap::new(), &proxies),
            ip("10.0.0.2")
        );
        let inner = headers(&[("x-forwarded-for", "10.0.0.7")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &inner, &proxies), ip("10.0.0.7"));
        // Garbage stops the reading: never an address left of it.
        let junk = headers(&[("x-forwarded-for", "6.6.6.6, unknown, 10.0.0.7")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &junk, &proxies), ip("10.0.0.7"));
        // An IPv4 peer seen through a dual-stack socket.
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.2"), &xff, &proxies),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_ip(ip("::ffff:192.0.2.9"), &xff, &proxies),
            ip("192.0.2.9")
        );
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let proxies = nets(&["10.0.0.0/8"]);
        let fwd = headers(&[(
            "forwarded",
            "for=6.6.6.6;proto=https, For=\"[2001:db8:cafe::17]:4711\";by=10.0.0.3",
        )]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &fwd, &proxies),
            ip("2001:db8:cafe::17")
        );
        let port = headers(&[("forwarded", "for=\"203.0.113.5:80\"")]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &port, &proxies),
            ip("203.0.113.5")
        );
        let hidden = headers(&[("forwarded", "for=6.6.6.6, for=_hidden")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &hidden, &proxies), ip("10.0.0.2"));
        // An untrusted peer's Forwarded is ignored too.
        assert_eq!(client_ip(ip("192.0.2.9"), &fwd, &proxies), ip("192.0.2.9"));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(rate_key(ip("203.0.113.5")), "203.0.113.5");
        assert_eq!(rate_key(ip("::ffff:203.0.113.5")), "203.0.113.5");
        assert_eq!(
            rate_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            rate_key(ip("2001:db8:1:2::1")),
            rate_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            rate_key(ip("2001:db8:1:2::1")),
            rate_key(ip("2001:db8:1:3::1"))
        );
    }
}
