using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EventChat.Api.Endpoints;
using EventChat.Domain.Conversations;

namespace EventChat.Api;

/// <summary>
/// The JSON of the wire, one definition for REST, the hub's payloads both ways and webhook bodies, so a field reads the
/// same wherever it arrives. On top of the web defaults (camelCase): enums travel as camelCase strings
/// (<c>"direct"</c>, never <c>0</c>), and a number is only ever a JSON number, which is also what lets the OpenAPI
/// and AsyncAPI documents type integers as <c>integer</c> instead of "number or numeric string". An attachment also
/// carries its <c>url</c>, which the Domain's record does not know (see <see cref="WithAttachmentUrl"/>).
/// </summary>
public static class WireJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(WithAttachmentUrl);
        return options;
    }

    /// <summary>
    /// Adds <c>url</c> (<see cref="AttachmentEndpoints.UrlOf"/>) after the fields of every <see cref="MessageAttachment"/>
    /// written, in messages, uploads, pushes and webhook bodies alike, and to its schema in the OpenAPI and AsyncAPI
    /// documents, which read the same type information. A route is the Api's, so it is added here rather than stored
    /// in the Domain's events and read models, whose JSON from before it moved still carries a <c>url</c> that is
    /// skipped when read.
    /// </summary>
    private static void WithAttachmentUrl(JsonTypeInfo info)
    {
        if (info.Type != typeof(MessageAttachment))
            return;
        var url = info.CreateJsonPropertyInfo(typeof(string), "url");
        url.Get = attachment => AttachmentEndpoints.UrlOf(((MessageAttachment)attachment).Id);
        info.Properties.Add(url);
    }
}
