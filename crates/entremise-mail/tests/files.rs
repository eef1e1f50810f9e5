//! The `.eml` adapter: each message a complete file, readable as mail.

use entremise_domain::mail::{Mailer, OutgoingMail};
use entremise_domain::validate::Email;
use entremise_mail::{FileMailer, Sender};

fn mail(subject: &str) -> OutgoingMail {
    OutgoingMail {
        to: Email::parse("ada@example.org").unwrap(),
        to_name: "Ada Lovelace".into(),
        subject: subject.into(),
        text: "Hello Ada,\n\n- Bob accepted your contact request\n".into(),
        html: Some("<p>Hello Ada,</p>".into()),
        headers: vec![(
            "List-Unsubscribe".into(),
            "<http://127.0.0.1:8080/unsubscribe/tok>".into(),
        )],
        message_id: None,
    }
}

fn sender() -> Sender {
    Sender {
        address: "entremise@net.example.org".into(),
        name: "entremise".into(),
    }
}

#[tokio::test]
async fn every_message_becomes_one_complete_eml_file_in_the_directory() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("mail");
    let mailer = FileMailer::new(&dir, &sender()).unwrap();
    assert!(dir.is_dir(), "the directory is made at start");
    mailer.send(&mail("First digest")).await.unwrap();
    mailer.send(&mail("Second digest")).await.unwrap();

    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.iter().all(|n| n.ends_with(".eml")),
        "no partial file is left: {names:?}"
    );
    let first = std::fs::read_to_string(dir.join(&names[0])).unwrap();
    let second = std::fs::read_to_string(dir.join(&names[1])).unwrap();
    // Names sort by time: the first written comes first.
    assert!(first.contains("Subject: First digest\r\n"), "{first}");
    assert!(second.contains("Subject: Second digest\r\n"), "{second}");
    assert!(first.contains("From: entremise <entremise@net.example.org>\r\n"));
    assert!(
        first.contains("To: \"Ada Lovelace\" <ada@example.org>\r\n")
            || first.contains("To: Ada Lovelace <ada@example.org>\r\n"),
        "{first}"
    );
    assert!(first.contains("List-Unsubscribe: <http://127.0.0.1:8080/unsubscribe/tok>\r\n"));
    assert!(
        first.contains("Message-ID: <"),
        "an id is drawn when none is given"
    );
    assert!(first.contains("Bob accepted your contact request"));
}

#[tokio::test]
async fn a_directory_that_cannot_be_written_fails_the_send() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("mail");
    let mailer = FileMailer::new(&dir, &sender()).unwrap();
    std::fs::remove_dir(&dir).unwrap();
    // A file where the directory was: nothing can be written under it.
    std::fs::write(&dir, b"not a directory").unwrap();
    assert!(mailer.send(&mail("Lost?")).await.is_err());
}
