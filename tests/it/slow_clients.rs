//! Slow and idle clients cannot exhaust the server: a connection that does
//! not finish its request headers in time is closed, idle keep-alive
//! connections are closed, and a well-behaved client is served even while
//! far more slow connections than the connection limit are open.

use crate::common::process::{agent, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Waits for the server to close `stream`: true when it did (EOF or reset),
/// false if it was still open after `guard` (the test's own bound, far above
/// the server's header timeout).
fn closed_by_server(stream: &mut TcpStream, guard: Duration) -> bool {
    stream.set_read_timeout(Some(guard)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // a response to a finished request; read on
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn slowloris_and_idle_connections_are_cut_and_others_are_served() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), &["--max-connections", "32", "--header-timeout-secs", "2"]);
    let guard = Duration::from_secs(30);

    // 200 clients that start a request and never finish its headers: six
    // times the connection limit.
    let mut slow: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET /login HTTP/1.1\r\nHost: vitrine\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    // A normal client is still served: slots free as slow ones time out.
    let r = agent().get(&format!("{}/login", server.base)).call().unwrap();
    assert_eq!(r.status(), 200);
    for (i, s) in slow.iter_mut().enumerate() {
        assert!(closed_by_server(s, guard), "slow connection {i} was never closed");
    }

    // A finished request on a keep-alive connection, then silence: closed.
    let mut idle = TcpStream::connect(&server.addr).unwrap();
    idle.write_all(b"GET /login HTTP/1.1\r\nHost: vitrine\r\n\r\n").unwrap();
    assert!(closed_by_server(&mut idle, guard), "an idle keep-alive connection was never closed");

    let r = agent().get(&format!("{}/login", server.base)).call().unwrap();
    assert_eq!(r.status(), 200, "still serving afterwards");
}
