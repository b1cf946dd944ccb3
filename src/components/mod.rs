pub mod artifact_card;
pub mod data_table;
pub mod error_view;
pub mod layout;
pub mod live;
pub mod loaded;
pub mod share_form;
pub mod timestamp;
