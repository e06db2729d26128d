namespace EventChat.Application.Attachments;

/// <summary>
/// An uploaded file's record (a plain document, not an event: uploading changes no conversation).
/// The bytes live in the file store under <see cref="Id"/>; a message refers to the file by this id.
/// </summary>
public sealed record StoredAttachment(Guid Id, Guid UploaderId, string FileName, string ContentType, long Size, DateTimeOffset UploadedAt);
