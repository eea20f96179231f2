use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc]
    inn: String,
}

fn main() {}
