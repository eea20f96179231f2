use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(rename = "1st")]
    first: String,
}

fn main() {}
