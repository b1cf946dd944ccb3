pub mod artifact_card;
pub mod error_view;
pub mod layout;
pub mod live;
pub mod loaded;
pub mod timestamp;
