//! Form bodies with PHP bracket keys (`properties[emails][0]=a%40example.com`), as Bitrix24
//! sends robot calls and app events, and as its REST methods accept parameters.
//!
//! A body decodes to a JSON object whose leaves are strings; a bracket level whose keys are
//! `0, 1, 2, …` (or written as `[]`) becomes an array, as PHP's `json_encode` would write it.
//!
//! ```
//! use bizproc::form;
//!
//! let body = "code=send_invoice&properties%5Bemails%5D%5B0%5D=a%40example.com&properties[emails][1]=b%40example.com&properties[text]=Hello+world";
//! let value = form::decode(body.as_bytes()).unwrap();
//! assert_eq!(value["properties"]["emails"][1], "b@example.com");
//! assert_eq!(value["properties"]["text"], "Hello world");
//! assert_eq!(form::decode(form::encode(&value).as_bytes()).unwrap(), value);
//! ```

mod decode;
mod encode;
mod tree;

pub(crate) use decode::decode_tree;
pub use decode::{FormError, FormLimits, decode, decode_with};
pub use encode::encode;
pub(crate) use tree::{Level, Node};
