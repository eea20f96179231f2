use bizproc::BizprocSelect;

#[derive(BizprocSelect)]
enum Decision {}

fn main() {}
