#!/usr/bin/env python3
"""The parts of scripts/reliability/load.sh that wrk cannot do: sign members
in, open conversations, pick search queries, read wrk's output, and the two
bursts (parallel sign-ins, parallel large uploads) during which the server's
memory is sampled and other requests are timed. Standard library only, so
that it runs wherever python3 does.

Every figure goes to a results file (one JSON object a line) that `report`
prints as a table; every command exits non-zero on a failure it names.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from concurrent.futures import ThreadPoolExecutor


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


# --- HTTP -----------------------------------------------------------------


class Answer:
    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds

    def json(self):
        return json.loads(self.body)


def connect(base, timeout):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    conn.connect()
    return conn


def send(conn, method, path, body=None, headers=None):
    """One request on an open connection; the time runs from the first byte
    sent to the last byte of the answer read."""
    started = time.monotonic()
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    headers = {k.lower(): v for k, v in r.getheaders()}
    return Answer(r.status, headers, data, time.monotonic() - started)


def send_expecting_continue(conn, base, method, path, body, headers):
    """Sends a large body as curl does: the headers with `Expect:
    100-continue` first, the body only once the server says to go on. A
    server that refuses early (busy, too large) answers at once, and its
    answer is read rather than lost to a reset while the body is sent."""
    started = time.monotonic()
    host = urllib.parse.urlsplit(base).netloc
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += ["Expect: 100-continue", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock = conn.sock
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    first = sock.recv(64, socket.MSG_PEEK)
    if first.startswith(b"HTTP/1.1 100"):
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            interim += sock.recv(1)
        sock.sendall(body)
    r = http.client.HTTPResponse(sock, method=method)
    r.begin()
    data = r.read()
    answer_headers = {k.lower(): v for k, v in r.getheaders()}
    return Answer(r.status, answer_headers, data, time.monotonic() - started)


def call(base, method, path, body=None, headers=None, timeout=60):
    """One request on a new connection, as a new client would."""
    conn = connect(base, timeout)
    try:
        return send(conn, method, path, body, headers)
    finally:
        conn.close()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def json_body(value):
    return json.dumps(value).encode(), {"Content-Type": "application/json"}


# --- small commands ---------------------------------------------------------


def cmd_free_port(_args):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def cmd_wait(args):
    """Waits until the server answers its health check."""
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if args.pid and not alive(args.pid):
            fail(f"the server (pid {args.pid}) exited while starting; see its log")
        try:
            if call(args.url, "GET", "/api/v1/health", timeout=5).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    fail(f"{args.url} did not answer /api/v1/health within {args.timeout} s")


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bytes(side, noisy):
    """A PNG of side x side RGB pixels, `noisy` rows of noise spread among
    flat ones."""
    row = side * 3
    every = side / noisy
    noisy_rows = {int(i * every) for i in range(noisy)}
    rng = random.Random(42)
    flat = b"\x00" + bytes([0x5A, 0x7D, 0x9E]) * side
    compress = zlib.compressobj(6)
    parts = []
    for y in range(side):
        line = b"\x00" + rng.randbytes(row) if y in noisy_rows else flat
        parts.append(compress.compress(line))
    parts.append(compress.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def cmd_png(args):
    """A real PNG of many pixels (near the server's pixel limit, the worst
    case for decoding) and just under `--bytes` bytes: rows of noise, which
    do not compress, spread among flat rows, which compress to nearly
    nothing."""
    side = args.side
    noisy = max(1, min(side, args.bytes // (side * 3 + 1)))
    png = png_bytes(side, noisy)
    while len(png) > args.bytes and noisy > 1:
        noisy = max(1, noisy - (len(png) - args.bytes) // (side * 3 + 1) - 1)
        png = png_bytes(side, noisy)
    with open(args.out, "wb") as f:
        f.write(png)
    print(
        f"image: PNG {side}x{side} ({side * side / 1e6:.1f} Mpixels), "
        f"{len(png)} bytes ({len(png) / 1048576:.2f} MiB)"
    )


# --- preparing what the load needs -------------------------------------------


def sign_in(base, email, password, attempts=30):
    """A bearer token; waits and tries again on 503 busy or 429."""
    body, headers = json_body({"email": email, "password": password})
    for _ in range(attempts):
        a = call(base, "POST", "/api/v1/sessions", body, headers)
        if a.status == 201:
            return a.json()["token"]
        if a.status in (429, 503):
            time.sleep(min(float(a.headers.get("retry-after", "1")), 5.0))
            continue
        fail(f"sign-in of {email}: {a.status} {a.body[:200]!r}")
    fail(f"sign-in of {email}: still busy after {attempts} attempts")


def read_lines(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def cmd_prepare(args):
    """Tokens of random members, their conversations with a contact, and
    search queries made of names and places of the network."""
    handles = read_lines(args.handles)
    rng = random.Random(42)
    chosen = rng.sample(handles, min(args.tokens, len(handles)))
    started = time.monotonic()
    # As many at once as the server hashes passwords at once (two a core).
    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(
            pool.map(
                lambda h: sign_in(args.url, f"{h}@import.entremise.test", args.password),
                chosen,
            )
        )
    print(f"signed in {len(tokens)} members in {time.monotonic() - started:.1f} s")
    with open(os.path.join(args.dir, "tokens"), "w") as f:
        f.writelines(t + "\n" for t in tokens)

    conversations = []
    for handle, token in zip(chosen, tokens):
        a = call(args.url, "GET", f"/api/v1/profiles/{handle}/contacts?limit=20", headers=bearer(token))
        if a.status != 200:
            fail(f"contacts of {handle}: {a.status} {a.body[:200]!r}")
        for item in a.json()["items"]:
            other = item if isinstance(item, str) else item.get("handle")
            body, headers = json_body({"with": [other]})
            c = call(args.url, "POST", "/api/v1/conversations", body, {**headers, **bearer(token)})
            if c.status in (200, 201):
                conversations.append(f"{token} {c.json()['id']}")
                break
            if c.status not in (403, 404):
                fail(f"conversation of {handle} with {other}: {c.status} {c.body[:200]!r}")
    if len(conversations) < max(1, len(tokens) // 2):
        fail(f"only {len(conversations)} of {len(tokens)} members could open a conversation")
    print(f"opened {len(conversations)} conversations (one per member, with a contact)")
    with open(os.path.join(args.dir, "conversations"), "w") as f:
        f.writelines(c + "\n" for c in conversations)

    queries = set()
    for handle in rng.sample(handles, min(60, len(handles))):
        a = call(args.url, "GET", f"/api/v1/profiles/{handle}", headers=bearer(tokens[0]))
        if a.status != 200:
            fail(f"profile {handle}: {a.status} {a.body[:200]!r}")
        profile = a.json()
        name = profile.get("name", "")
        words = name.split()
        queries.add(name)
        queries.update(w for w in words if len(w) > 2)
        if words and profile.get("location"):
            queries.add(f"{words[0]} {profile['location']}")
    queries = sorted(q for q in queries if q)
    if len(queries) < 10:
        fail(f"only {len(queries)} search queries could be made from profiles")
    print(f"made {len(queries)} search queries from names and places, e.g. {queries[:4]}")
    with open(os.path.join(args.dir, "queries"), "w") as f:
        f.writelines(q + "\n" for q in queries)


def cmd_inbox_seed(args):
    """A page run by a team (its owner and editors, the first handles), one
    post of the page, and one member's comment on it whose id starts the
    answers (the comments written after it follow in order)."""
    handles = read_lines(args.handles)[: args.team]
    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(
            pool.map(
                lambda h: sign_in(args.url, f"{h}@import.entremise.test", args.password),
                handles,
            )
        )
    owner = tokens[0]
    body, headers = json_body({"kind": "organization", "handle": args.page, "name": "Bench & Co"})
    r = call(args.url, "POST", "/api/v1/pages", body, {**headers, **bearer(owner)})
    if r.status != 201:
        fail(f"page: {r.status} {r.body[:200]!r}")
    for handle in handles[1:]:
        body, headers = json_body({"role": "editor"})
        r = call(args.url, "PUT", f"/api/v1/pages/{args.page}/managers/{handle}", body, {**headers, **bearer(owner)})
        if r.status not in (200, 204):
            fail(f"editor {handle}: {r.status} {r.body[:200]!r}")
    body, headers = json_body({"text": "Our new delivery schedule", "audience": "public", "as": args.page})
    r = call(args.url, "POST", "/api/v1/posts", body, {**headers, **bearer(owner)})
    if r.status != 201:
        fail(f"post: {r.status} {r.body[:200]!r}")
    post = r.json()["id"]
    member = read_lines(os.path.join(args.dir, "tokens"))[0]
    body, headers = json_body({"text": "Question 0: when is the next delivery?"})
    r = call(args.url, "POST", f"/api/v1/posts/{post}/comments", body, {**headers, **bearer(member)})
    if r.status != 201:
        fail(f"first comment: {r.status} {r.body[:200]!r}")
    first = r.json()["id"]
    for name, value in (("team-tokens", "\n".join(tokens)), ("post", post), ("first", first)):
        with open(os.path.join(args.dir, name), "w") as f:
            f.write(f"{value}\n")
    print(f"page {args.page}: {len(tokens)} in its team, post {post}, first comment {first}")


# --- wrk's output -------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def millis(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"`{text}` is not a wrk duration")
    return float(m.group(1)) * UNITS[m.group(2)]


def cmd_wrk_result(args):
    """Reads one wrk run (with --latency and load.lua's status lines),
    records its figures and fails on any error."""
    text = open(args.output).read()

    def find(pattern, what):
        m = re.search(pattern, text, re.M)
        if not m:
            fail(f"{args.name}: no {what} in wrk's output ({args.output}):\n{text}")
        return m

    rps = float(find(r"^Requests/sec:\s+([\d.]+)", "Requests/sec").group(1))
    count = int(find(r"^\s+(\d+) requests in ", "request count").group(1))
    p50 = millis(find(r"^\s+50%\s+(\S+)", "median (was --latency given?)").group(1))
    p99 = millis(find(r"^\s+99%\s+(\S+)", "99th percentile").group(1))
    top = millis(find(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", "latency line").group(1))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, socket.groups()))) if socket else {}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    statuses = {int(c): int(n) for c, n in re.findall(r"^status (\d+) (\d+)$", text, re.M)}
    if not statuses:
        fail(f"{args.name}: no status lines from load.lua in wrk's output:\n{text}")
    bad = {c: n for c, n in statuses.items() if not 200 <= c < 300}
    errors = sum(socket_errors.values()) + sum(bad.values())
    problems = []
    if count == 0:
        problems.append("no request was answered")
    if sum(socket_errors.values()):
        problems.append(f"socket errors {socket_errors}")
    if non2xx or bad:
        problems.append(f"answers other than 2xx: {bad or non2xx.group(0)}")
    if 429 in bad:
        problems.append(
            "429 means a rate limit cut the load short: does this build scale its limits "
            "by ENTREMISE_RATE_LIMIT_SCALE (set to 1000)?"
        )
    record(
        args.results,
        {
            "kind": "wrk",
            "name": args.name,
            "requests": count,
            "rps": rps,
            "p50_ms": p50,
            "p99_ms": p99,
            "max_ms": top,
            "errors": errors,
            "statuses": statuses,
            "ok": not problems,
        },
    )
    print(
        f"{args.name}: {rps:,.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {top:.2f} ms, "
        f"{count} requests, statuses {statuses}, errors {errors}"
    )
    if problems:
        fail(f"{args.name}: " + "; ".join(problems))


def record(path, entry):
    with open(path, "a") as f:
        f.write(json.dumps(entry) + "\n")


# --- the server's memory, and other requests, during a burst -----------------


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def proc_status(pid):
    """VmRSS, VmHWM (KiB) and Threads of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    out = {}
    for key in ("VmRSS", "VmHWM", "Threads"):
        m = re.search(rf"^{key}:\s+(\d+)", text, re.M)
        out[key] = int(m.group(1)) if m else 0
    return out


class Watch:
    """Samples the server's resident memory every 10 ms; kills it once it
    has grown by `kill_growth_mib`, so that a server whose memory runs away
    cannot take the machine down with it (the run then fails)."""

    def __init__(self, pid, kill_growth_mib):
        self.pid = pid
        self.stop_flag = threading.Event()
        self.killed = False
        self.gone = False
        status = proc_status(pid)
        if status is None:
            fail(f"the server (pid {pid}) is not running")
        self.base_kib = status["VmRSS"]
        self.kill_kib = self.base_kib + kill_growth_mib * 1024
        self.peak_kib = status["VmRSS"]
        self.threads_base = status["Threads"]
        self.threads_peak = status["Threads"]
        # Resets VmHWM to the current size (Linux 4.0+), so that the peak
        # read at the end is this burst's, not the start's (index rebuild).
        try:
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop_flag.is_set():
            status = proc_status(self.pid)
            if status is None:
                self.gone = True
                return
            self.peak_kib = max(self.peak_kib, status["VmRSS"])
            self.threads_peak = max(self.threads_peak, status["Threads"])
            if status["VmRSS"] > self.kill_kib:
                os.kill(self.pid, signal.SIGKILL)
                self.killed = True
                return
            time.sleep(0.01)

    def finish(self):
        self.stop_flag.set()
        self.thread.join()
        status = proc_status(self.pid)
        if status is not None:
            self.end_kib = status["VmRSS"]
            if self.hwm_reset:
                self.peak_kib = max(self.peak_kib, status["VmHWM"])
        else:
            self.gone = True
            self.end_kib = 0


def probe_loop(url, token, handle, stop, out):
    """The probe's own process: timed requests until `stop` is set, then
    `(latencies, failures)` sent on `out`."""
    targets = [("/api/v1/health", {}), (f"/api/v1/profiles/{handle}", bearer(token))]
    latencies, failures = [], []
    ready = False
    while not stop.is_set():
        if not ready and latencies:
            out.send("ready")
            ready = True
        for path, headers in targets:
            started = time.monotonic()
            try:
                a = call(url, "GET", path, headers=headers, timeout=30)
                if a.status != 200:
                    failures.append(f"GET {path}: {a.status}")
            except OSError as e:
                failures.append(f"GET {path}: {e}")
            latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    out.send((latencies, failures))


class Probe:
    """Another client, meanwhile: a health check and a profile, one after
    the other on new connections, every 50 ms; every answer must be 200.
    It runs in a process of its own, so that the burst's many client
    threads do not delay it (and inflate its times) in this one."""

    def __init__(self, url, token, handle):
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.results, out = context.Pipe(duplex=False)
        self.process = context.Process(target=probe_loop, args=(url, token, handle, self.stop, out))
        self.process.start()
        # The burst starts once the probe has timed a first round.
        if not self.results.poll(30) or self.results.recv() != "ready":
            fail("the probe did not start")

    def finish(self):
        self.stop.set()
        latencies, self.failures = self.results.recv()
        self.process.join()
        self.count = len(latencies)
        self.max_ms = max(latencies, default=0) * 1000
        ordered = sorted(latencies)
        self.p50_ms = ordered[len(ordered) // 2] * 1000 if ordered else 0


def burst(args, name, make_request, accepted, clients, expect_continue=False):
    """Opens `clients` connections, sends one request on each at the same
    moment, and checks every answer, the probe's and the memory."""
    tokens = read_lines(args.tokens)
    kill_growth_mib = 2 * args.max_growth_mib + 512
    watch = Watch(args.pid, kill_growth_mib)
    time.sleep(0.2)
    probe = Probe(args.url, tokens[0], args.probe_handle)
    barrier = threading.Barrier(clients)
    answers = [None] * clients

    def client(i):
        try:
            conn = connect(args.url, args.client_timeout)
        except OSError as e:
            barrier.wait()
            answers[i] = ("connect", str(e), 0.0)
            return
        method, path, body, headers = make_request(i, tokens)
        barrier.wait()
        try:
            if expect_continue:
                a = send_expecting_continue(conn, args.url, method, path, body, headers)
            else:
                a = send(conn, method, path, body, headers)
            answers[i] = (a.status, a.headers.get("retry-after"), a.seconds, a.body[:200])
        except OSError as e:
            answers[i] = ("error", str(e), 0.0)
        finally:
            conn.close()

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    probe.finish()
    watch.finish()

    problems = []
    counts = {}
    for a in answers:
        counts[a[0]] = counts.get(a[0], 0) + 1
        if a[0] not in accepted:
            problems.append(f"unexpected answer {a[0]}: {a[1:]}")
        elif a[0] in (429, 503) and not a[1]:
            problems.append(f"{a[0]} without Retry-After")
    successes = sum(n for c, n in counts.items() if isinstance(c, int) and 200 <= c < 300)
    if successes == 0:
        problems.append("no request succeeded at all")
    slowest = max((a[2] for a in answers if isinstance(a[0], int)), default=0)
    mib = lambda kib: kib / 1024
    growth = mib(watch.peak_kib - watch.base_kib)
    if watch.killed:
        problems.append(f"the server's memory grew by more than {kill_growth_mib} MiB: it was killed")
    elif watch.gone or not alive(args.pid):
        problems.append("the server exited during the burst")
    if growth > args.max_growth_mib:
        problems.append(f"memory grew by {growth:.0f} MiB, over the bound of {args.max_growth_mib} MiB")
    if probe.failures:
        problems.append(f"other requests failed meanwhile: {probe.failures[:5]}")
    if probe.max_ms > args.max_probe_ms:
        problems.append(
            f"other requests waited up to {probe.max_ms:.0f} ms, over the bound of {args.max_probe_ms} ms"
        )
    entry = {
        "kind": "burst",
        "name": name,
        "clients": clients,
        "statuses": {str(k): v for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))},
        "seconds": elapsed,
        "slowest_answer_s": slowest,
        "rss_base_mib": mib(watch.base_kib),
        "rss_peak_mib": mib(watch.peak_kib),
        "rss_end_mib": mib(watch.end_kib),
        "rss_growth_mib": growth,
        "rss_growth_bound_mib": args.max_growth_mib,
        "threads_base": watch.threads_base,
        "threads_peak": watch.threads_peak,
        "probe_requests": probe.count,
        "probe_p50_ms": probe.p50_ms,
        "probe_max_ms": probe.max_ms,
        "probe_bound_ms": args.max_probe_ms,
        "ok": not problems,
    }
    record(args.results, entry)
    print(
        f"{name}: {clients} at once, answers {entry['statuses']} in {elapsed:.1f} s "
        f"(slowest {slowest:.2f} s); server memory {mib(watch.base_kib):.0f} MiB before, "
        f"peak {mib(watch.peak_kib):.0f} MiB (+{growth:.0f}, bound +{args.max_growth_mib}), "
        f"{mib(watch.end_kib):.0f} MiB after; threads {watch.threads_base} -> peak {watch.threads_peak}; "
        f"other requests: {probe.count}, p50 {probe.p50_ms:.1f} ms, max {probe.max_ms:.1f} ms "
        f"(bound {args.max_probe_ms} ms)"
    )
    if problems:
        for p in sorted(set(problems))[:20]:
            print(f"  - {p}", file=sys.stderr)
        fail(f"{name}: {len(problems)} problem(s)")


def cmd_signin_burst(args):
    """Many clients sign in at once with the right password, each from its
    own address (X-Forwarded-For through a trusted proxy): 201, or 503 when
    the password hashing is full, or 429 when a limit applies."""
    handles = read_lines(args.handles)
    rng = random.Random(7)
    chosen = [rng.choice(handles) for _ in range(args.count)]

    def make(i, _tokens):
        body, headers = json_body({"email": f"{chosen[i]}@import.entremise.test", "password": args.password})
        headers["X-Forwarded-For"] = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        return "POST", "/api/v1/sessions", body, headers

    burst(args, "parallel sign-ins", make, {201, 429, 503}, args.count)


def cmd_upload_burst(args):
    """Many members upload a large image at once: 201, or 503 when the
    server is busy, 413/422 past a limit, 429 past a rate limit."""
    with open(args.image, "rb") as f:
        image = f.read()
    boundary = "entremise-load-boundary-7d1c"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="alt"\r\n\r\n'
            "A large generated picture\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="large.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def make(i, tokens):
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            **bearer(tokens[i % len(tokens)]),
        }
        return "POST", "/api/v1/media", body, headers

    burst(
        args,
        "parallel 10 MiB uploads",
        make,
        {201, 413, 422, 429, 503},
        args.count,
        expect_continue=True,
    )


# --- the table -----------------------------------------------------------------


def cmd_report(args):
    entries = [json.loads(line) for line in read_lines(args.results)]
    print()
    print(f"Load figures ({args.title})")
    print()
    print("| requests (wrk, saturation) | req/s | p50 | p99 | max | answered | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for e in entries:
        if e["kind"] == "wrk":
            print(
                f"| {e['name']} | {e['rps']:,.0f} | {e['p50_ms']:.2f} ms | {e['p99_ms']:.2f} ms "
                f"| {e['max_ms']:.1f} ms | {e['requests']:,} | {e['errors']}"
                + ("" if e["ok"] else " FAIL")
                + " |"
            )
    print()
    print(
        "| burst | at once | answers | memory before → peak (bound) | threads peak "
        "| other requests p50 / max (bound) |"
    )
    print("|---|---:|---|---|---:|---|")
    for e in entries:
        if e["kind"] == "burst":
            answers = ", ".join(f"{k}: {v}" for k, v in e["statuses"].items())
            print(
                f"| {e['name']} | {e['clients']} | {answers} "
                f"| {e['rss_base_mib']:.0f} → {e['rss_peak_mib']:.0f} MiB "
                f"(+{e['rss_growth_mib']:.0f}, bound +{e['rss_growth_bound_mib']}) "
                f"| {e['threads_peak']} | {e['probe_p50_ms']:.1f} / {e['probe_max_ms']:.0f} ms "
                f"({e['probe_bound_ms']}){'' if e['ok'] else ' FAIL'} |"
            )
    failed = [e["name"] for e in entries if not e["ok"]]
    print()
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        sys.exit(1)
    print("every load check passed")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("free-port").set_defaults(run=cmd_free_port)

    s = sub.add_parser("wait")
    s.add_argument("url")
    s.add_argument("--pid", type=int)
    s.add_argument("--timeout", type=float, default=300)
    s.set_defaults(run=cmd_wait)

    s = sub.add_parser("png")
    s.add_argument("out")
    s.add_argument("--bytes", type=int, default=10 * 1024 * 1024 - 128 * 1024)
    s.add_argument("--side", type=int, default=6000)
    s.set_defaults(run=cmd_png)

    s = sub.add_parser("prepare")
    s.add_argument("url")
    s.add_argument("--password", required=True)
    s.add_argument("--handles", required=True)
    s.add_argument("--tokens", type=int, required=True)
    s.add_argument("--dir", required=True)
    s.set_defaults(run=cmd_prepare)

    s = sub.add_parser("inbox-seed")
    s.add_argument("url")
    s.add_argument("--password", required=True)
    s.add_argument("--handles", required=True)
    s.add_argument("--team", type=int, default=50)
    s.add_argument("--page", default="benchco")
    s.add_argument("--dir", required=True)
    s.set_defaults(run=cmd_inbox_seed)

    s = sub.add_parser("wrk-result")
    s.add_argument("name")
    s.add_argument("output")
    s.add_argument("--results", required=True)
    s.set_defaults(run=cmd_wrk_result)

    for name, run in (("signin-burst", cmd_signin_burst), ("upload-burst", cmd_upload_burst)):
        s = sub.add_parser(name)
        s.add_argument("url")
        s.add_argument("--pid", type=int, required=True)
        s.add_argument("--tokens", required=True)
        s.add_argument("--probe-handle", required=True)
        s.add_argument("--count", type=int, required=True)
        s.add_argument("--results", required=True)
        s.add_argument("--max-probe-ms", type=int, required=True)
        s.add_argument("--max-growth-mib", type=int, required=True)
        s.add_argument("--client-timeout", type=float, default=120)
        if name == "signin-burst":
            s.add_argument("--password", required=True)
            s.add_argument("--handles", required=True)
        else:
            s.add_argument("--image", required=True)
        s.set_defaults(run=run)

    s = sub.add_parser("report")
    s.add_argument("results")
    s.add_argument("--title", default="")
    s.set_defaults(run=cmd_report)

    args = p.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
