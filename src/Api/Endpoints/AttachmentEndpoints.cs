using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Attachments;
using EventChat.Domain.Conversations;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace EventChat.Api.Endpoints;

public static class AttachmentEndpoints
{
    public const string MaxBytesKey = "EventChat:Attachments:MaxBytes";

    /// <summary>The attachments' route, spelled once: the endpoints below, and the <c>url</c> every attachment carries on the wire.</summary>
    public const string Route = "/api/chat/attachments";

    /// <summary>Where members download the attachment <paramref name="id"/>.</summary>
    public static string UrlOf(Guid id) => $"{Route}/{id}";

    // Room for the multipart framing around the file (boundaries, part headers, a long file name). A file
    // just over the limit gets through to the validator and a clear message; anything far over is cut off
    // by the server before it is read.
    public const long MultipartAllowance = 64 * 1024;

    // Types a browser would run as a document (scripts and all) if it ever rendered one from our origin.
    private static readonly HashSet<string> ActiveContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml", "text/xsl", "application/xslt+xml",
    };

    /// <summary>Binds <c>EventChat:Attachments:MaxBytes</c> (default 25 MB) for the upload validator and endpoint.</summary>
    public static IServiceCollection AddAttachmentOptions(this IServiceCollection services, IConfiguration config)
    {
        var maxBytes = config.GetValue(MaxBytesKey, AttachmentOptions.DefaultMaxBytes);
        return maxBytes > 0
            ? services.AddSingleton(new AttachmentOptions(maxBytes))
            : throw new InvalidOperationException($"{MaxBytesKey} must be a positive number of bytes; it is {maxBytes}.");
    }

    public static void MapAttachments(this IEndpointRouteBuilder app)
    {
        var requestLimit = app.ServiceProvider.GetRequiredService<AttachmentOptions>().MaxBytes + MultipartAllowance;
        var attachments = app.MapGroup(Route).RequireAuthorization().WithTags("Attachments").ProducesProblems(401, 500);

        attachments.MapPost("/", async Task<Created<MessageAttachment>> (IFormFile? file, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            {
                await using var content = file?.OpenReadStream();
                var uploaded = await mediator.Send(new UploadAttachment(user.UserId(), file?.FileName, file?.ContentType, file?.Length ?? 0, content), ct);
                return TypedResults.Created(UrlOf(uploaded.Id), uploaded);
            })
            .WithName("uploadAttachment")
            .WithSummary("Upload a file (multipart field file) to attach to a message")
            .ProducesProblems(400, 413, 415, 429)
            // Bearer tokens, not cookies, authenticate this API, so a cross-site form cannot upload as the user.
            .DisableAntiforgery()
            .WithMetadata(new UploadSizeLimit(requestLimit))
            .WithFormOptions(multipartBodyLengthLimit: requestLimit);

        attachments.MapGet("/{id:guid}", async Task<FileStreamHttpResult> (Guid id, HttpResponse response, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var (attachment, content) = await mediator.Send(new GetAttachment(user.UserId(), id), ct);
            // Whatever a file claims to be, it is never run as a page of this origin: no sniffing, no scripts, a download.
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
            return TypedResults.File(content, ServedContentType(attachment.ContentType), attachment.FileName,
                lastModified: attachment.UploadedAt, enableRangeProcessing: true);
        })
            .WithName("downloadAttachment")
            .WithSummary("Download a file of a message you can see")
            .Produces<Stream>(StatusCodes.Status200OK, UploadAttachmentHandler.DefaultContentType)
            .ProducesProblems(404);
    }

    /// <summary>The stored type, except types a browser would render as an active document, which are served as plain bytes.</summary>
    public static string ServedContentType(string stored)
    {
        var mediaType = stored.Split(';', 2)[0].Trim();
        return ActiveContentTypes.Contains(mediaType) || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
            ? UploadAttachmentHandler.DefaultContentType
            : stored;
    }

    private sealed record UploadSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
