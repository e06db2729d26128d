using System.Net.Http.Headers;
using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Domain.Conversations;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Attachments;

/// <summary>Upload limits, bound from <c>EventChat:Attachments</c> (see docs/operations.md).</summary>
public sealed record AttachmentOptions(long MaxBytes = AttachmentOptions.DefaultMaxBytes)
{
    public const long DefaultMaxBytes = 25 * 1024 * 1024;
}

/// <summary>
/// Stores a file so that a message can carry it by id. <see cref="Size"/> is the length of <see cref="Content"/>;
/// a null <see cref="Content"/> means the request held no file.
/// </summary>
public sealed record UploadAttachment(Guid UploaderId, string? FileName, string? ContentType, long Size, Stream? Content)
    : ICommand<MessageAttachment>, IRateLimited
{
    // An upload is the first half of a message, so it spends from the same budget.
    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => UploaderId;
}

public sealed class UploadAttachmentValidator : AbstractValidator<UploadAttachment>
{
    public const int MaxFileNameLength = 255;
    public const int MaxContentTypeLength = 255;

    public UploadAttachmentValidator(AttachmentOptions options)
    {
        RuleFor(c => c.Content).NotNull().OverridePropertyName("file")
            .WithMessage("Send the file as a multipart/form-data field named 'file'.");
        When(c => c.Content is not null, () =>
        {
            RuleFor(c => c.FileName).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("The file needs a name.")
                .MaximumLength(MaxFileNameLength)
                .Must(IsPlainFileName).WithMessage("The file name must be a plain name: no '/', '\\' or '..', and no control characters.");
            RuleFor(c => c.Size).GreaterThan(0).WithMessage("The file is empty.")
                .LessThanOrEqualTo(options.MaxBytes).WithMessage($"The file is larger than the limit of {Describe(options.MaxBytes)}.");
            RuleFor(c => c.ContentType).MaximumLength(MaxContentTypeLength);
        });
    }

    /// <summary>
    /// The name is only ever shown and offered back as a download name, never used as a path; still, a
    /// name with path parts is a client bug or an attack, and bidi overrides disguise extensions ("txt.exe").
    /// </summary>
    public static bool IsPlainFileName(string? name) =>
        name is not null && name.Trim() != "." && !name.Contains("..")
        && !name.Any(c => c is '/' or '\\' || char.IsControl(c) || IsBidiControl(c));

    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F';

    private static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : bytes % 1024 == 0 ? $"{bytes / 1024} KB" : $"{bytes} bytes";
}

public sealed class UploadAttachmentHandler(IDocumentStore store, IFileStore files, ContentCipher cipher, TimeProvider clock, ILogger<UploadAttachmentHandler> log)
    : ICommandHandler<UploadAttachment, MessageAttachment>
{
    public const string DefaultContentType = "application/octet-stream";

    public async ValueTask<MessageAttachment> Handle(UploadAttachment command, CancellationToken ct)
    {
        var attachment = new StoredAttachment(Guid.CreateVersion7(), command.UploaderId, command.FileName!, NormalizeContentType(command.ContentType),
            command.Size, clock.GetUtcNow());
        // Bytes first, record second: a record always has its bytes; bytes without a record are unreachable.
        // The bytes are stored encrypted under a key of their own, saved with the record.
        var (key, sealedBytes) = cipher.SealFile(attachment.Id, attachment.UploaderId, command.Content!);
        await using (sealedBytes)
            await files.Save(attachment.Id, sealedBytes, ct);
        try
        {
            await using var session = store.LightweightSession();
            session.Store(attachment);
            session.Insert(key);
            await session.SaveChangesAsync(ct);
        }
        catch
        {
            await files.Delete(attachment.Id, CancellationToken.None);
            throw;
        }
        log.LogInformation("attachment {AttachmentId} uploaded by {UploaderId}: {Size} bytes of {ContentType}",
            attachment.Id, attachment.UploaderId, attachment.Size, attachment.ContentType);
        return attachment.ToMessageAttachment();
    }

    /// <summary>What the client declared, lower-cased; anything missing or unreadable is plain bytes.</summary>
    public static string NormalizeContentType(string? declared)
    {
        if (!MediaTypeHeaderValue.TryParse(declared, out var parsed) || parsed.MediaType is not { } mediaType || mediaType.Count(c => c == '/') != 1)
            return DefaultContentType;
        parsed.MediaType = mediaType.ToLowerInvariant();
        return parsed.ToString();
    }
}
