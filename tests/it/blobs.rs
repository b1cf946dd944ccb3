//! The storage interface itself, in whichever mode the tests run: the data
//! directory, or (`VITRINE_TEST_BACKEND=remote`) a prefix in the services'
//! bucket, where large files go up in parts and ranges are GETs.

use crate::common;
use futures_util::TryStreamExt;
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, SystemTime};
use vitrine::error::AppError;
use vitrine::server::store::blobs::object::Object;
use vitrine::server::store::blobs::Blobs;
use vitrine::server::store::spool::Spool;

const FOLDER: &str = "conversations/c/artifacts";

#[test]
fn keys_are_stored_staged_read_linked_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::from_config(&common::config(&dir.path().join("data"))).unwrap();
    let key = |name: &str| format!("{FOLDER}/{name}");
    blobs.check().unwrap();

    // Past 8 MiB: several parts in a bucket.
    let big: Vec<u8> = (0..20 * 1024 * 1024 + 3).map(|i| (i % 251) as u8).collect();
    let staging = blobs.staging_dir(FOLDER);
    std::fs::create_dir_all(&staging).unwrap();
    let mut staged = tempfile::NamedTempFile::new_in(&staging).unwrap();
    staged.write_all(&big).unwrap();
    blobs.put_staged(&key("big.bin"), staged.into_temp_path()).unwrap();
    assert!(blobs.read(&key("big.bin")).unwrap() == big);
    let end = big.len() as u64;
    assert_eq!(blobs.read_range(&key("big.bin"), end - 2..end + 100).unwrap(), big[big.len() - 2..]);

    // Ranges at or past the end read nothing, as the file system's do.
    blobs.put(&key("short.txt"), b"abc").unwrap();
    blobs.put(&key("empty.txt"), b"").unwrap();
    assert_eq!(blobs.read_range(&key("short.txt"), 1..2).unwrap(), b"b");
    assert_eq!(blobs.read_range(&key("short.txt"), 3..10).unwrap(), b"");
    assert_eq!(blobs.read_range(&key("empty.txt"), 0..10).unwrap(), b"");
    let small = tokio::runtime::Runtime::new().unwrap().block_on(blobs.read_small(&key("short.txt"))).unwrap();
    assert_eq!(&small.bytes[..], b"abc");
    // A file is dated by the disk; a bucket's object is not (its row dates it).
    match small.modified {
        Some(modified) => assert!(
            modified.elapsed().unwrap_or_default() < Duration::from_secs(60)
                && modified <= SystemTime::now() + Duration::from_secs(5)
        ),
        None => assert!(crate::common::remote()),
    }

    // A path for readers that need one, and a reader over it.
    let path = blobs.local_path(&key("big.bin")).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), end);
    let mut opened = Vec::new();
    blobs.open(&key("short.txt")).unwrap().read_to_end(&mut opened).unwrap();
    assert_eq!(opened, b"abc");
    let mut opened = Vec::new();
    blobs.open(&key("big.bin")).unwrap().read_to_end(&mut opened).unwrap();
    assert!(opened == big, "a large body read whole through open");

    // Streams: whole, a span across chunks, the last bytes, and a missing key.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let streamed = |range: Option<std::ops::Range<u64>>| {
        runtime.block_on(async {
            let chunks: Vec<_> = blobs.stream(&key("big.bin"), range).await.unwrap().try_collect().await.unwrap();
            chunks.concat()
        })
    };
    assert!(streamed(None) == big);
    assert!(streamed(Some(100_000..9_000_001)) == big[100_000..9_000_001]);
    assert_eq!(streamed(Some(end - 3..end)), big[big.len() - 3..]);
    let missing = runtime.block_on(blobs.stream(&key("never-there.txt"), None)).err().unwrap();
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    blobs.link(&key("short.txt"), "conversations/d/artifacts/linked.txt").unwrap();
    assert_eq!(blobs.read("conversations/d/artifacts/linked.txt").unwrap(), b"abc");
    blobs.delete([key("short.txt"), key("never-there.txt"), key("big.bin")]);
    let gone = blobs.read_range(&key("short.txt"), 0..1).unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    assert_eq!(blobs.local_path(&key("short.txt")).unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(blobs.read("conversations/d/artifacts/linked.txt").unwrap(), b"abc", "a link outlives its source");
}

/// A bucket that cannot be reached is a store unavailable (503), which the
/// client may try again, not a missing file (404) nor a failure of ours
/// (500): for a reader that needs a path, for reads and streams (downloads,
/// card pictures), and for `/readyz`'s check, which names the bucket. An
/// app cannot open on such a bucket (its start-up scan fails), so this is
/// where `/readyz`'s 503 is tested; `ops::readyz_…` sees the check pass.
/// Nothing listens on the endpoint, so no service is needed. With the
/// `AWS_*` credentials of the remote run it is the endpoint that fails;
/// without them, the instance metadata asked for credentials, as on AWS.
#[test]
fn an_unreachable_bucket_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let spool = Spool::open(dir.path(), 1 << 20).unwrap();
    let endpoint = format!("http://{closed}");
    let object = Object::connect(&"s3://nowhere".parse().unwrap(), Some(&endpoint), spool).unwrap();
    let blobs = Blobs::Object(object);
    let key = format!("{FOLDER}/a.txt");
    let streamed = tokio::runtime::Runtime::new().unwrap().block_on(blobs.stream(&key, None)).err().unwrap();
    let failures = [
        blobs.local_path(&key).unwrap_err(),
        blobs.read(&key).unwrap_err(),
        blobs.open(&key).err().unwrap(),
        blobs.read_range(&key, 0..10).unwrap_err(),
        streamed,
    ];
    for e in failures.map(AppError::from) {
        assert_eq!(e.status(), 503, "{e:?}");
        assert!(e.to_string().starts_with("Storage unavailable: "), "{e}");
    }
    // What /readyz adds to its store check: the bucket named.
    let unready = blobs.check().unwrap_err().to_string();
    assert!(unready.starts_with("bucket s3://nowhere cannot be listed: "), "{unready}");
}

/// `list` finds every key beneath a folder, with its size and date, and
/// nothing beside it; `put_new` writes a key once, even when writers race.
#[test]
fn keys_are_listed_and_put_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::from_config(&common::config(&dir.path().join("data"))).unwrap();
    // A bucket's dates are whole seconds.
    let before = SystemTime::now() - Duration::from_secs(2);
    let (key, blobs) = (&format!("{FOLDER}/once.txt"), &blobs);
    let wrote: Vec<bool> = std::thread::scope(|s| {
        let writers: Vec<_> = (0..4u8).map(|i| s.spawn(move || blobs.put_new(key, &[b'a' + i; 3]).unwrap())).collect();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(wrote.iter().filter(|w| **w).count(), 1, "{wrote:?}");
    let first = wrote.iter().position(|w| *w).unwrap() as u8;
    assert_eq!(blobs.read(key).unwrap(), [b'a' + first; 3]);
    assert!(!blobs.put_new(key, b"later").unwrap());

    blobs.put(&format!("{FOLDER}/deeper/two.bin"), b"12345").unwrap();
    // Beside the folder, and a folder whose name starts with its name.
    blobs.put("conversations/c/other.txt", b"x").unwrap();
    blobs.put("conversations/c/artifacts-2/three.txt", b"x").unwrap();
    let mut listed = blobs.list(FOLDER).unwrap();
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    let keys: Vec<_> = listed.iter().map(|l| (l.key.as_str(), l.size)).collect();
    assert_eq!(keys, [(format!("{FOLDER}/deeper/two.bin").as_str(), 5), (key, 3)]);
    for l in &listed {
        assert!(before <= l.modified && l.modified <= SystemTime::now() + Duration::from_secs(5), "{l:?}");
    }
    assert_eq!(blobs.list(&format!("{FOLDER}/")).unwrap().len(), 2);
    assert!(blobs.list("conversations/none").unwrap().is_empty());

    if common::remote() {
        return;
    }
    // A symlink is neither followed nor listed.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), b"s").unwrap();
    let folder = dir.path().join("data").join(FOLDER);
    std::os::unix::fs::symlink(outside.path(), folder.join("away")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), folder.join("secret.txt")).unwrap();
    assert_eq!(blobs.list(FOLDER).unwrap().len(), 2);
    // A key linked from an old file is dated by the link, not by the file.
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options().write(true).open(folder.join("once.txt")).unwrap().set_modified(old).unwrap();
    blobs.link(key, &format!("{FOLDER}/linked.txt")).unwrap();
    let linked = blobs.list(FOLDER).unwrap().into_iter().find(|l| l.key.ends_with("linked.txt")).unwrap();
    assert!(linked.modified >= before, "{linked:?}");
}
