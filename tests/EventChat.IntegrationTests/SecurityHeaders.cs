using System.Net;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>The browser is told to refuse what EventChat never does: foreign scripts and styles, framing, sniffing, referrers.</summary>
public sealed class SecurityHeaders
{
    [Theory]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/api/chat/conversations")]
    [InlineData("/health/live")]
    public async Task The_web_client_and_the_api_answer_with_a_strict_content_security_policy_and_no_sniffing_framing_or_referrer(string path)
    {
        var server = await EventChatServer.Instance;
        using var http = server.Http();

        using var response = await http.GetAsync(path);

        var policy = Header(response, "Content-Security-Policy").Split(';', StringSplitOptions.TrimEntries);
        var host = server.BaseAddress.Authority;
        Assert.Equal(["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob:", $"connect-src 'self' ws://{host} wss://{host}",
            "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'", "form-action 'self'"], policy);
        AssertTheHeadersEveryResponseHas(response);
    }

    [Fact]
    public async Task The_api_reference_page_keeps_its_inline_scripts_but_gets_the_other_headers()
    {
        var server = await EventChatServer.Instance;
        using var http = server.Http();

        using var response = await http.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        AssertTheHeadersEveryResponseHas(response);
    }

    private static void AssertTheHeadersEveryResponseHas(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage!.RequestUri!.PathAndQuery} answered without {name}.");
}
