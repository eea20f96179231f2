//! `bizproc-emulator`: a local Bitrix24 portal on 127.0.0.1.

fn main() {}
