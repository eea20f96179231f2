use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(name = "")]
    inn: String,
}

fn main() {}
