//! Card thumbnails are scaled on the server, cached, and only for the owner.

use crate::common::TestApp;
use axum::http::StatusCode;

fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

#[tokio::test]
async fn thumbnails_are_small_cached_and_private() {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let r = app
        .tool_result(&token, &c, &[("big.png", &png(2000, 1000)), ("notes.txt", b"x"), ("fake.png", b"not a png")])
        .await;
    let items = r.json()["artifacts"].as_array().unwrap().clone();
    let url = |i: usize| format!("{}/thumbnail", items[i]["url"].as_str().unwrap());

    let thumb = app.get(&url(0), &token).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.header("content-type"), "image/webp");
    let small = image::load_from_memory_with_format(&thumb.body, image::ImageFormat::WebP).unwrap();
    assert_eq!((small.width(), small.height()), (480, 240));
    let id = items[0]["id"].as_str().unwrap();
    let cached = || app.stored(&format!("cache/cards/{id}.webp")).is_some();
    assert!(cached(), "cached");
    assert_eq!(app.get(&url(0), &token).await.body, thumb.body);

    assert_eq!(app.get(&url(1), &token).await.status, StatusCode::NOT_FOUND, "no thumbnail for text");
    assert_eq!(app.get(&url(2), &token).await.status, StatusCode::NOT_FOUND, "undecodable image");
    let bob = app.user("bob");
    assert_eq!(app.get(&url(0), &bob).await.status, StatusCode::NOT_FOUND);

    let deleted = app.call(axum::http::Method::DELETE, items[0]["url"].as_str().unwrap(), Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(!cached(), "cache goes with the artifact");

    let css = app.call(axum::http::Method::GET, "/highlight.css", None, None).await;
    assert!(css.text().contains(".hl-") && css.text().contains("prefers-color-scheme: dark"));
}

/// The PNG pictures of earlier releases, and the faces that name them, are
/// dropped at start-up; the cards are drawn again as WebP.
#[tokio::test]
async fn pictures_of_earlier_releases_are_drawn_again() {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let r = app.tool_result(&token, &c, &[("big.png", &png(2000, 1000))]).await;
    let url = format!("{}/thumbnail", r.json()["artifacts"][0]["url"].as_str().unwrap());
    let old = app.dir.path().join("cache/thumbnails");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("stale.png"), b"an old picture").unwrap();

    let app = app.restart();
    assert!(!old.exists(), "the old cache is gone");
    let thumb = app.get(&url, &token).await;
    assert_eq!((thumb.status, thumb.header("content-type")), (StatusCode::OK, "image/webp"));
    assert!(image::load_from_memory_with_format(&thumb.body, image::ImageFormat::WebP).is_ok());
}

/// An animated GIF's card is its first frame, still: a card that played a
/// long animation would cost every gallery visit its whole weight.
#[tokio::test]
async fn an_animated_gif_card_is_one_still_frame() {
    use image::codecs::{gif::GifEncoder, webp::WebPDecoder};
    use image::{AnimationDecoder, Delay, Frame, Rgba, RgbaImage};
    let mut gif = Vec::new();
    let frames = (0..24u32).map(|n| {
        let picture = RgbaImage::from_fn(400, 400, |x, y| {
            Rgba([((x + n * 10) % 256) as u8, (y % 256) as u8, (n * 10) as u8, 255])
        });
        Frame::from_parts(picture, 0, 0, Delay::from_numer_denom_ms(80, 1))
    });
    GifEncoder::new(&mut gif).encode_frames(frames).unwrap();
    let decoded = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(&gif)).unwrap();
    assert_eq!(decoded.into_frames().count(), 24, "the upload is animated");

    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let r = app.tool_result(&token, &c, &[("spinner.gif", &gif)]).await;
    let thumb = app.get(&format!("{}/thumbnail", r.json()["artifacts"][0]["url"].as_str().unwrap()), &token).await;
    assert_eq!((thumb.status, thumb.header("content-type")), (StatusCode::OK, "image/webp"));
    let webp = WebPDecoder::new(std::io::Cursor::new(&thumb.body)).unwrap();
    assert!(!webp.has_animation(), "one still frame");
    assert!(thumb.body.len() * 4 < gif.len(), "{} bytes for a {} byte GIF", thumb.body.len(), gif.len());
}
