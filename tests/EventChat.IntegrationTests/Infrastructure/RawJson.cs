using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// JSON sent exactly as written. System.Text.Json replaces an unpaired surrogate with U+FFFD when it serializes a
/// string, so a test that must send one (as the escape <c>\ud800</c>) writes the JSON itself; this carries it
/// through the SignalR client, and <see cref="Content"/> through HttpClient.
/// </summary>
[JsonConverter(typeof(Converter))]
public sealed record RawJson(string Json)
{
    /// <summary>Serializes <paramref name="body"/>, then puts <paramref name="escape"/> (JSON text) where <paramref name="placeholder"/> was.</summary>
    public static RawJson Of(object body, string placeholder, string escape) =>
        new(JsonSerializer.Serialize(body, JsonSerializerOptions.Web).Replace(placeholder, escape));

    public HttpContent Content() => new StringContent(Json, System.Text.Encoding.UTF8, "application/json");

    private sealed class Converter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonDocument.ParseValue(ref reader).RootElement.GetRawText());

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json, skipInputValidation: true);
    }
}
