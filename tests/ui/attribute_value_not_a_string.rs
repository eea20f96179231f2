use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(rename = 5)]
    inn: String,
}

fn main() {}
