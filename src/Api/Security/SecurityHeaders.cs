using EventChat.Api.OpenApi;

namespace EventChat.Api.Security;

/// <summary>
/// Headers that make the browser refuse what EventChat never does (docs/operations.md#security-headers). Every response
/// gets nosniff, no referrer, and may not be framed. Every response but the API reference also gets a content security
/// policy that allows only this origin's own files and its hub: the web client has no inline script or style, shows
/// only its own images and the blob: URLs of attachments it downloaded itself (a download needs the token), and talks
/// only to its own server, so an injected script or style could run nowhere.
/// </summary>
public static class SecurityHeaders
{
    // 'self' covers ws:/wss: to the same host only in CSP Level 3 browsers; the hub's WebSocket is named for the others.
    private const string PolicyTemplate =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self' ws://{0} wss://{0}; " +
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";

    /// <summary>First in the pipeline, and added as the response starts, so error pages and 401s carry them too.</summary>
    public static void UseSecurityHeaders(this WebApplication app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            // Scalar's page (/docs) is built of inline script and style it generates itself, so a policy it could live
            // with would need 'unsafe-inline' and stop nothing. It shows only this server's own OpenAPI document.
            // A response with a stricter policy of its own (a download is sandboxed) keeps it.
            if (!context.Request.Path.StartsWithSegments(ApiReference.PagePath) && !headers.ContainsKey("Content-Security-Policy"))
                headers.ContentSecurityPolicy = string.Format(PolicyTemplate, context.Request.Host.Value);
            return Task.CompletedTask;
        });
        return next(context);
    });
}
