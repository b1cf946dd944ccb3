use super::*;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use zip::write::SimpleFileOptions;

struct FakeClock(AtomicU64);

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        Duration::from_secs(self.0.load(Ordering::Relaxed))
    }
}

fn write_zip(path: &Path, members: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
    for (name, bytes) in members {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn file(path: &Path) -> Source {
    Source::File(path.to_path_buf())
}

fn cache() -> (ArchiveCache, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock(AtomicU64::new(0)));
    (ArchiveCache::new(ArchiveLimits::default(), clock.clone()), clock)
}

#[test]
fn reads_members_and_names_the_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my.skill");
    write_zip(&path, &[("SKILL.md", b"# skill"), ("scripts/install.sh", b"echo hi"), ("./dot.txt", b"dot")]);
    let (cache, _) = cache();
    assert_eq!(&*cache.read_member(&file(&path), "SKILL.md").unwrap(), b"# skill");
    assert_eq!(&*cache.read_member(&file(&path), "scripts/install.sh").unwrap(), b"echo hi");
    assert_eq!(&*cache.read_member(&file(&path), "dot.txt").unwrap(), b"dot");
    let missing = cache.read_member(&file(&path), "README.md").unwrap_err();
    assert_eq!(missing.to_string(), "File 'README.md' not found in skill archive");
    assert!(matches!(cache.read_member(&file(&path), "scripts").unwrap_err(), ArchiveError::MemberNotFound(_)));
    assert!(matches!(
        cache.read_member(&file(&dir.path().join("none.skill")), "a").unwrap_err(),
        ArchiveError::ArchiveNotFound
    ));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing is extracted");
}

#[test]
fn cache_lasts_five_minutes_and_drops_changed_archives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.skill");
    write_zip(&path, &[("a.txt", b"one"), ("b.txt", b"two")]);
    let (cache, clock) = cache();
    cache.read_member(&file(&path), "a.txt").unwrap();
    cache.read_member(&file(&path), "b.txt").unwrap();
    cache.read_member(&file(&path), "a.txt").unwrap();
    assert_eq!(cache.directory_loads(), 1);
    clock.0.store(4 * 60 + 59, Ordering::Relaxed);
    cache.read_member(&file(&path), "b.txt").unwrap();
    assert_eq!(cache.directory_loads(), 1, "still fresh at 4:59");
    clock.0.store(5 * 60 + 1, Ordering::Relaxed);
    cache.read_member(&file(&path), "a.txt").unwrap();
    assert_eq!(cache.directory_loads(), 2, "expired after 5:00");
    // Rewritten (a new file in its place): never answered from the cache.
    let tmp = dir.path().join("new");
    write_zip(&tmp, &[("a.txt", b"ONE!")]);
    std::fs::rename(&tmp, &path).unwrap();
    assert_eq!(&*cache.read_member(&file(&path), "a.txt").unwrap(), b"ONE!");
    assert_eq!(cache.directory_loads(), 3);
}

#[test]
fn member_cache_stays_within_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.skill");
    let chunk = vec![7u8; 1000];
    let names: Vec<String> = (0..50).map(|i| format!("m{i}")).collect();
    let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &chunk[..])).collect();
    write_zip(&path, &members);
    let limits = ArchiveLimits { cache_bytes: 10_000, ..Default::default() };
    let cache = ArchiveCache::new(limits, Arc::new(SystemClock::default()));
    for n in &names {
        cache.read_member(&file(&path), n).unwrap();
        assert!(cache.cached_member_bytes() <= 10_000);
    }
    assert_eq!(cache.cached_member_bytes(), 10_000);

    // The largest member kept is a quarter of the bound.
    let path = dir.path().join("quarter.skill");
    write_zip(&path, &[("quarter", &vec![7u8; 1_000_000]), ("more", &vec![7u8; 1_000_001])]);
    let cache = ArchiveCache::new(
        ArchiveLimits { cache_bytes: 4_000_000, ..Default::default() },
        Arc::new(SystemClock::default()),
    );
    cache.read_member(&file(&path), "more").unwrap();
    assert_eq!(cache.cached_member_bytes(), 0);
    cache.read_member(&file(&path), "quarter").unwrap();
    assert_eq!(cache.cached_member_bytes(), 1_000_000);
}

#[test]
fn hostile_member_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slip.skill");
    write_zip(
        &path,
        &[
            ("../../etc/passwd", b"x"),
            ("/etc/shadow", b"x"),
            ("..\\win.ini", b"x"),
            ("C:/boot.ini", b"x"),
            ("ok.txt", b"ok"),
        ],
    );
    let (cache, _) = cache();
    for name in ["../../etc/passwd", "/etc/shadow", "..\\win.ini", "C:/boot.ini"] {
        assert!(matches!(cache.read_member(&file(&path), name).unwrap_err(), ArchiveError::Hostile(_)), "{name}");
    }
    assert_eq!(&*cache.read_member(&file(&path), "ok.txt").unwrap(), b"ok");
}

#[test]
fn zip_bombs_and_oversized_members_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.skill");
    let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
    zip.start_file("bomb.txt", SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated))
        .unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let (cache, _) = cache();
    let err = cache.read_member(&file(&path), "bomb.txt").unwrap_err();
    assert!(matches!(err, ArchiveError::TooLarge(_)), "{err}");
    let limits = ArchiveLimits { max_member_bytes: 1 << 30, ..Default::default() };
    let roomy = ArchiveCache::new(limits, Arc::new(SystemClock::default()));
    let err = roomy.read_member(&file(&path), "bomb.txt").unwrap_err();
    assert!(matches!(err, ArchiveError::Hostile(ref m) if m.contains("zip bomb")), "{err}");
}

#[test]
fn a_member_larger_than_its_header_says_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liar.skill");
    write_zip(&path, &[("a.txt", &[b'a'; 5000])]);
    // Declared sizes live in the local header and the central directory; a
    // lower limit than the real size stands in for a lie both ways.
    let limits = ArchiveLimits { max_member_bytes: 4000, ..Default::default() };
    let cache = ArchiveCache::new(limits, Arc::new(SystemClock::default()));
    assert!(matches!(cache.read_member(&file(&path), "a.txt").unwrap_err(), ArchiveError::TooLarge(_)));
}

#[test]
fn too_many_entries_and_corrupt_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let many = dir.path().join("many.skill");
    let mut zip = zip::ZipWriter::new(File::create(&many).unwrap());
    for i in 0..10_001 {
        zip.start_file(
            format!("f{i}"),
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
    }
    zip.finish().unwrap();
    let (cache, _) = cache();
    assert!(matches!(cache.read_member(&file(&many), "f1").unwrap_err(), ArchiveError::Hostile(_)));

    let good = dir.path().join("good.skill");
    write_zip(&good, &[("a.txt", b"hello hello hello")]);
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.skill");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let not_zip = dir.path().join("text.skill");
    std::fs::write(&not_zip, b"just some text, not an archive").unwrap();
    for path in [truncated, not_zip] {
        assert!(
            matches!(cache.read_member(&file(&path), "a.txt").unwrap_err(), ArchiveError::Corrupt(_)),
            "{}",
            path.display()
        );
    }
}

#[test]
fn duplicate_member_names_answer_the_last_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.skill");
    write_zip(&path, &[("a.txt", b"first"), ("b.txt", b"later")]);
    // The zip writer refuses duplicates; rename the second member in both
    // its local header and the central directory (names are not checksummed).
    let bytes = std::fs::read(&path).unwrap();
    let renamed: Vec<u8> = {
        let mut out = bytes.clone();
        let mut at = 0;
        while let Some(i) = out[at..].windows(5).position(|w| w == b"b.txt") {
            out[at + i] = b'a';
            at += i + 5;
        }
        out
    };
    assert_ne!(renamed, bytes);
    std::fs::write(&path, renamed).unwrap();
    let (cache, _) = cache();
    assert_eq!(&*cache.read_member(&file(&path), "a.txt").unwrap(), b"later", "as unzip extracts it last");
    assert!(matches!(cache.read_member(&file(&path), "b.txt").unwrap_err(), ArchiveError::MemberNotFound(_)));
}

#[test]
fn members_under_one_top_level_folder_answer_by_their_inner_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my-skill.skill");
    write_zip(
        &path,
        &[
            ("zz-skill/SKILL.md", b"later folder"),
            ("my-skill/SKILL.md", b"# packaged"),
            ("my-skill/scripts/install.sh", b"echo hi"),
            ("deep/er/notes.md", b"two levels"),
            ("README.md", b"exact"),
            ("other/README.md", b"shadowed"),
        ],
    );
    let (cache, _) = cache();
    assert_eq!(&*cache.read_member(&file(&path), "SKILL.md").unwrap(), b"# packaged", "first folder in byte order");
    assert_eq!(&*cache.read_member(&file(&path), "scripts/install.sh").unwrap(), b"echo hi");
    assert_eq!(&*cache.read_member(&file(&path), "README.md").unwrap(), b"exact", "an exact name comes first");
    assert_eq!(&*cache.read_member(&file(&path), "my-skill/SKILL.md").unwrap(), b"# packaged");
    assert_eq!(&*cache.read_member(&file(&path), "er/notes.md").unwrap(), b"two levels", "under the one folder deep/");
    for missing in ["notes.md", "install.sh", "skill/SKILL.md", "scripts"] {
        assert!(
            matches!(cache.read_member(&file(&path), missing).unwrap_err(), ArchiveError::MemberNotFound(_)),
            "{missing}"
        );
    }
}
