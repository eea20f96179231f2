use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(default = 300)]
    percent: u8,
}

fn main() {}
