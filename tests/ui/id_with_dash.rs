use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(rename = "my-id")]
    my_id: String,
}

fn main() {}
