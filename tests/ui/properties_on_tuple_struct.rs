use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input(String, i64);

fn main() {}
