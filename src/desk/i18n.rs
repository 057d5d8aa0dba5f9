//! Every string the desk shows, in Vietnamese (the interface language) and English: one
//! catalogue, checked by the compiler (a key missing a language does not build).

use serde::{Deserialize, Serialize};

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, offered by the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// The text of `key` in this language.
    pub fn t(self, key: T) -> &'static str {
        key.text(self)
    }

    /// The text of `key` with `{}` replaced by `value`.
    pub fn f(self, key: T, value: impl std::fmt::Display) -> String {
        key.text(self).replacen("{}", &value.to_string(), 1)
    }
}

macro_rules! catalogue {
    ($($key:ident => $vi:literal, $en:literal;)*) => {
        /// A string of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $($key),* }

        impl T {
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((T::$key, Lang::Vi) => $vi, (T::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

catalogue! {
    Desk => "Bàn biên tập", "Editor's desk";
    LanguageName => "Tiếng Việt", "English";
    SwitchLanguage => "English", "Tiếng Việt";
    SkipToContent => "Bỏ qua, đến nội dung", "Skip to content";
    MainMenu => "Menu chính", "Main menu";
    // Sign-in and account.
    SignIn => "Đăng nhập", "Sign in";
    SignOut => "Đăng xuất", "Sign out";
    SignedInAs => "Đang đăng nhập: {}", "Signed in as {}";
    Email => "Email", "Email";
    Password => "Mật khẩu", "Password";
    WrongCredentials => "Sai email hoặc mật khẩu.", "Wrong email or password.";
    TooManyAttempts => "Đăng nhập sai quá nhiều lần. Hãy thử lại sau {} giây.", "Too many failed sign-ins. Try again in {} seconds.";
    SessionEnded => "Phiên làm việc đã kết thúc. Hãy đăng nhập lại.", "Your session has ended. Please sign in again.";
    SignedOut => "Bạn đã đăng xuất.", "You are signed out.";
    MyAccount => "Tài khoản của tôi", "My account";
    DisplayName => "Tên hiển thị", "Display name";
    Role => "Vai trò", "Role";
    RoleAuthor => "Tác giả", "Author";
    RoleEditor => "Biên tập viên", "Editor";
    RoleAdmin => "Quản trị", "Administrator";
    ChangePassword => "Đổi mật khẩu", "Change password";
    CurrentPassword => "Mật khẩu hiện tại", "Current password";
    NewPassword => "Mật khẩu mới", "New password";
    PasswordHint => "Ít nhất 12 ký tự.", "At least 12 characters.";
    Saved => "Đã lưu.", "Saved.";
    PasswordChanged => "Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.", "Password changed. Your other sessions were signed out.";
    Save => "Lưu", "Save";
    Cancel => "Hủy", "Cancel";
    // Navigation.
    Articles => "Bài viết", "Articles";
    Photos => "Thư viện ảnh", "Photo library";
    Agreements => "Văn bản phối hợp", "Agreements";
    Signatories => "Người ký", "Signatories";
    Organizations => "Cơ quan, tổ chức", "Organisations";
    Users => "Người dùng", "Users";
    ApiTokens => "Khóa API", "API tokens";
    SiteSettings => "Cài đặt trang", "Site settings";
    Trash => "Thùng rác", "Trash";
    // Articles.
    NewArticle => "Viết bài mới", "New article";
    Search => "Tìm kiếm", "Search";
    SearchHint => "Gõ có dấu hoặc không dấu", "With or without accents";
    Category => "Chuyên mục", "Category";
    AnyCategory => "Mọi chuyên mục", "Any category";
    NoCategory => "(Không chuyên mục)", "(No category)";
    Status => "Trạng thái", "Status";
    AnyStatus => "Mọi trạng thái", "Any status";
    Author => "Tác giả", "Author";
    AnyAuthor => "Mọi tác giả", "Any author";
    OnlyMine => "Bài của tôi", "My articles";
    Filter => "Lọc", "Filter";
    StatusDraft => "Bản nháp", "Draft";
    StatusPublished => "Đã đăng", "Published";
    StatusScheduled => "Hẹn giờ đăng", "Scheduled";
    StatusArchived => "Lưu trữ", "Archived";
    StatusTrashed => "Trong thùng rác", "In the trash";
    Title => "Tiêu đề", "Title";
    Slug => "Đường dẫn (slug)", "Slug";
    SlugHint => "Tự tạo từ tiêu đề nếu để trống; chỉ chữ thường không dấu, số và dấu gạch ngang.", "Made from the title when empty; lowercase letters without accents, digits and hyphens.";
    Summary => "Tóm tắt", "Summary";
    Body => "Nội dung", "Body";
    PublishedAt => "Thời gian đăng", "Publication time";
    PublishedAtHint => "Ngày/tháng/năm giờ:phút, theo giờ của trang ({}). Để trống: đăng ngay khi chọn Đã đăng.", "Day/month/year hour:minute, in the site's time zone ({}). Empty: now, when published.";
    Updated => "Cập nhật", "Updated";
    Views => "Lượt xem", "Views";
    NoArticles => "Không có bài viết nào.", "No articles.";
    NextPage => "Trang sau", "Next page";
    Pages => "Các trang", "Pages";
    Breadcrumb => "Vị trí", "Breadcrumb";
    FirstPage => "Trang đầu", "First page";
    Edit => "Sửa", "Edit";
    EditArticle => "Sửa bài viết", "Edit article";
    Preview => "Xem trước", "Preview";
    PreviewNote => "Bản xem trước: bài hiển thị như độc giả sẽ thấy.", "Preview: the article as readers will see it.";
    Revisions => "Lịch sử sửa đổi", "Revisions";
    MoveToTrash => "Chuyển vào thùng rác", "Move to the trash";
    Restore => "Khôi phục", "Restore";
    Restored => "Đã khôi phục.", "Restored.";
    Trashed => "Đã chuyển vào thùng rác.", "Moved to the trash.";
    Created => "Đã tạo.", "Created.";
    TrashEmpty => "Thùng rác trống.", "The trash is empty.";
    CoverPhoto => "Ảnh đại diện", "Cover photo";
    Gallery => "Bộ ảnh kèm bài", "Gallery";
    Caption => "Chú thích", "Caption";
    RelatedArticles => "Tin liên quan", "Related articles";
    LinkedAgreements => "Văn bản liên quan", "Linked agreements";
    SearchToAdd => "Gõ để tìm và thêm", "Type to search and add";
    Add => "Thêm", "Add";
    Remove => "Bỏ", "Remove";
    None_ => "(Không có)", "(None)";
    Conflict => "Người khác đã lưu bài này trong lúc bạn sửa (lúc {}). Nội dung bạn gõ vẫn còn nguyên bên dưới; bản của họ không bị ghi đè.", "Someone else saved this article while you were editing (at {}). What you typed is kept below; their version was not overwritten.";
    TheirVersion => "Bản họ đã lưu", "Their saved version";
    YourVersion => "Bản của bạn", "Your version";
    SaveMineAnyway => "Lưu bản của tôi đè lên", "Save mine over theirs";
    FixErrors => "Chưa lưu: hãy sửa các ô được đánh dấu.", "Not saved: correct the fields marked below.";
    NotAllowed => "Bạn không có quyền làm việc này.", "You are not allowed to do this.";
    AuthorsDraftOnly => "Tác giả chỉ lưu được bản nháp; biên tập viên sẽ duyệt và đăng.", "Authors save drafts only; an editor reviews and publishes.";
    // Editor toolbar.
    Paragraph => "Đoạn văn", "Paragraph";
    Heading => "Tiêu đề mục", "Heading";
    Subheading => "Tiêu đề nhỏ", "Subheading";
    Bold => "Đậm", "Bold";
    Italic => "Nghiêng", "Italic";
    BulletList => "Danh sách", "Bulleted list";
    NumberedList => "Danh sách số", "Numbered list";
    Link => "Liên kết", "Link";
    InsertPhoto => "Chèn ảnh", "Insert photo";
    LinkPrompt => "Địa chỉ liên kết (https://…)", "Link address (https://…)";
    // Revisions.
    Revision => "Phiên bản {}", "Revision {}";
    SavedBy => "Người lưu", "Saved by";
    When => "Thời gian", "When";
    Compare => "So sánh với hiện tại", "Compare with current";
    RestoreRevision => "Khôi phục phiên bản này", "Restore this revision";
    Removed => "Bị bỏ", "Removed";
    Added => "Được thêm", "Added";
    Unchanged => "Không đổi", "Unchanged";
    NoChanges => "Không có thay đổi so với hiện tại.", "No changes from the current version.";
    Field => "Trường", "Field";
    // Photos.
    UploadPhotos => "Tải ảnh lên", "Upload photos";
    DropHere => "Kéo thả ảnh vào đây, hoặc chọn tệp", "Drop photos here, or choose files";
    ChooseFiles => "Chọn tệp", "Choose files";
    AltText => "Mô tả ảnh (alt)", "Alt text";
    AltMissing => "Thiếu mô tả ảnh cho người khiếm thị", "No alt text for screen readers";
    Credit => "Tác giả ảnh", "Credit";
    TakenAt => "Ngày chụp", "Taken on";
    Delete => "Xóa", "Delete";
    Deleted => "Đã xóa.", "Deleted.";
    InUse => "Không xóa được: ảnh đang được dùng ở: {}", "Cannot delete: the photo is used in: {}";
    NoPhotos => "Chưa có ảnh nào.", "No photos yet.";
    Uploading => "Đang tải lên", "Uploading";
    Uploaded => "Đã tải lên", "Uploaded";
    UploadFailed => "Lỗi", "Failed";
    Choose => "Chọn", "Choose";
    // Agreements.
    NewAgreement => "Thêm văn bản", "New agreement";
    EditAgreement => "Sửa văn bản phối hợp", "Edit agreement";
    AgreementSearchHint => "Số hiệu hoặc tên, có dấu hoặc không", "Number or title, accents optional";
    DocumentNumber => "Số hiệu", "Number";
    DocType => "Loại văn bản", "Document type";
    Place => "Nơi ký", "Place";
    SignedOn => "Ngày ký", "Signed on";
    EffectiveFrom => "Hiệu lực từ", "In effect from";
    EffectiveTo => "Hiệu lực đến", "In effect until";
    TermStart => "Nhiệm kỳ từ năm", "Term from (year)";
    TermEnd => "Nhiệm kỳ đến năm", "Term to (year)";
    Parties => "Các bên", "Parties";
    Organization => "Cơ quan", "Organisation";
    PartyRoleLabel => "Vai trò", "Part";
    RoleLead => "Chủ trì", "Lead";
    RolePartner => "Phối hợp", "Partner";
    Signatures => "Chữ ký", "Signatures";
    Signatory => "Người ký", "Signatory";
    SignedFor => "Ký thay mặt cơ quan", "Signed for";
    Prefix => "Thẩm quyền (TM., KT., …)", "Authority (TM., KT., …)";
    SigningTitle => "Chức danh khi ký", "Title when signing";
    PositionsAtSigning => "Chức vụ lúc ký", "Positions held when signing";
    Relations => "Quan hệ với văn bản khác", "Relations to other documents";
    RelationKind => "Quan hệ", "Relation";
    OtherAgreement => "Văn bản trong hệ thống", "Agreement in Bantin";
    ReferenceText => "Hoặc trích dẫn văn bản ngoài", "Or a document outside, by reference";
    RelReplaces => "Thay thế", "Replaces";
    RelAmends => "Sửa đổi, bổ sung", "Amends";
    RelRepeals => "Bãi bỏ", "Repeals";
    RelCorrects => "Đính chính", "Corrects";
    RelBasedOn => "Căn cứ", "Based on";
    RelImplements => "Triển khai thực hiện", "Implements";
    RelReferences => "Dẫn chiếu", "References";
    AddRow => "Thêm dòng", "Add a row";
    Attachments => "Tệp đính kèm (PDF)", "Attachments (PDF)";
    DropPdf => "Kéo thả tệp PDF vào đây, hoặc chọn tệp", "Drop PDF files here, or choose files";
    StatusDerived => "(tính từ ngày hiệu lực)", "(from the dates in effect)";
    AgreementUpcoming => "Chưa có hiệu lực", "Not yet in effect";
    AgreementInEffect => "Đang có hiệu lực", "In effect";
    AgreementExpired => "Hết hiệu lực", "Expired";
    AgreementSuperseded => "Đã bị thay thế", "Superseded";
    ChangedMeanwhile => "Người khác đã sửa mục này trong lúc bạn sửa; nội dung bạn gõ vẫn còn bên dưới. Hãy mở lại trang để xem bản mới rồi sửa lại.", "Someone else changed this while you were editing; what you typed is kept below. Reopen the page to see their version, then edit again.";
    // Signatories and organisations.
    NewSignatory => "Thêm người ký", "New signatory";
    FullName => "Họ và tên", "Full name";
    CurrentPosition => "Chức vụ hiện nay", "Current position";
    WhatTheySigned => "Văn bản đã ký", "What they signed";
    NewOrganization => "Thêm cơ quan", "New organisation";
    Name => "Tên", "Name";
    ShortName => "Tên viết tắt", "Short name";
    Kind => "Khối", "System";
    Parent => "Trực thuộc", "Part of";
    KindParty => "Khối Đảng", "Party";
    KindState => "Khối Nhà nước", "State";
    KindFront => "Mặt trận và đoàn thể", "Front and mass organisations";
    KindOther => "Khác", "Other";
    // Users, tokens, site.
    NewUser => "Thêm người dùng", "New user";
    CreateUser => "Tạo tài khoản", "Create the account";
    Active => "Đang hoạt động", "Active";
    Disabled => "Đã khóa", "Disabled";
    DisableAccount => "Khóa tài khoản (đăng xuất mọi phiên)", "Disable the account (signs out every session)";
    NewPasswordOptional => "Để trống nếu không đổi mật khẩu.", "Leave empty to keep the password.";
    NewToken => "Tạo khóa API", "New API token";
    CreateToken => "Tạo khóa", "Create the token";
    Scope => "Quyền", "Scope";
    ScopeRead => "Chỉ đọc", "Read only";
    ScopeWrite => "Đọc và ghi (như biên tập viên)", "Read and write (as an editor)";
    Owner => "Người tạo", "Owner";
    Expires => "Hết hạn", "Expires";
    ExpiresHint => "Ngày/tháng/năm; để trống: không hết hạn.", "Day/month/year; empty: never.";
    Never => "Không hết hạn", "Never";
    LastUsed => "Dùng lần cuối", "Last used";
    Revoke => "Thu hồi", "Revoke";
    Revoked => "Đã thu hồi.", "Revoked.";
    TokenCreated => "Đã tạo khóa API", "API token created";
    SecretShownOnce => "Hãy sao chép khóa này ngay: nó chỉ hiện một lần và không được lưu ở đâu cả.", "Copy this token now: it is shown once and stored nowhere.";
    SiteName => "Tên trang", "Site name";
    Publisher => "Cơ quan chủ quản", "Publisher";
    ResponsiblePerson => "Người chịu trách nhiệm", "Responsible person";
    Address => "Địa chỉ", "Address";
    Phone => "Điện thoại", "Phone";
    Fax => "Fax", "Fax";
    TimeZone => "Múi giờ (IANA)", "Time zone (IANA)";
    Attribution => "Ghi rõ nguồn khi trích dẫn", "Attribution notice";
    SiteHint => "Hiện ở chân trang của cổng thông tin (/api/v1/site).", "Shown in the portal's footer (/api/v1/site).";
    // Errors.
    ErrorTitle => "Có lỗi", "Something went wrong";
    NotFound => "Không tìm thấy.", "Not found.";
    BackToDesk => "Về bàn biên tập", "Back to the desk";
    CsrfRefused => "Biểu mẫu đã hết hạn hoặc không đến từ trang này. Hãy tải lại trang và thử lại.", "The form expired or did not come from this site. Reload the page and try again.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_filled() {
        assert_eq!(
            Lang::Vi.f(T::TooManyAttempts, 30),
            "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 30 giây."
        );
        assert_eq!(Lang::En.t(T::SignIn), "Sign in");
    }
}
