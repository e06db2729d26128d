using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using EventChat.Application.Streams;
using EventChat.Application.Webhooks;
using EventChat.Domain.Conversations;
using EventChat.Domain.Users;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EventChat.Api.OpenApi;

/// <summary>
/// Shapes the schemas of the OpenAPI document (and so of the AsyncAPI one, which reuses them) into the contract a
/// client generator should see, rather than the C# types they were derived from:
/// <list type="bullet">
/// <item>names are the contract's (<c>Message</c>, <c>Conversation</c>), not the classes' (<c>MessageView</c>, <c>ConversationDto</c>);</item>
/// <item>a request field is either required (<c>[property: Required]</c> on its record) or may be left out. The records
/// declare every field nullable so that a missing one reaches the validators, which name every broken rule at once;
/// the schema does not offer <c>null</c> as a value to send;</item>
/// <item>string fields with a closed set of values (<c>messageType</c>, <c>role</c>, webhook event types, a live session's
/// <c>state</c>) are enums, and so are query parameters of the same names.</item>
/// </list>
/// </summary>
public static class ContractSchemas
{
    /// <summary>Every request body and hub payload is a record in this assembly named <c>…Request</c>.</summary>
    public static bool IsRequest(Type type) => type.Assembly == typeof(ContractSchemas).Assembly && type.Name.EndsWith("Request", StringComparison.Ordinal);

    /// <summary>The values of string fields that take one of a fixed set, by the field's JSON name.</summary>
    private static readonly Dictionary<string, (IReadOnlyCollection<string> InRequests, IReadOnlyCollection<string> InAnswers)> ClosedSets = new()
    {
        ["messageType"] = (MessageTypes.Sendable, MessageTypes.All),
        ["role"] = (Roles.All, Roles.All),
        ["eventTypes"] = (WebhookEventTypes.All, WebhookEventTypes.All),
        ["state"] = (LiveSessionStates.All, LiveSessionStates.All),
    };

    public static void AddContractSchemas(this OpenApiOptions options)
    {
        options.CreateSchemaReferenceId = info => OpenApiOptions.CreateDefaultSchemaReferenceId(info) is { } id ? ContractName(id) : null;
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonPropertyInfo is not { } property)
                return Task.CompletedTask;
            var inRequest = IsRequest(property.DeclaringType);
            if (ClosedSets.TryGetValue(property.Name, out var values))
            {
                var target = schema.Items as OpenApiSchema ?? schema;
                target.Enum = [.. (inRequest ? values.InRequests : values.InAnswers).Select(value => (JsonNode)value)];
            }
            if (inRequest)
                schema.Type &= ~JsonSchemaType.Null;
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, _, _) =>
        {
            // A new schema rather than the generated one changed: that may be shared by every string parameter.
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
                if (parameter is { In: ParameterLocation.Query, Name: { } name } && ClosedSets.TryGetValue(name, out var values))
                    parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. values.InRequests.Select(value => (JsonNode)value)] };
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonPropertyInfo is not null)
                return Task.CompletedTask;
            if (IsRequest(context.JsonTypeInfo.Type))
                schema.Required = RequiredFields(context.JsonTypeInfo.Type);
            return Task.CompletedTask;
        });
        // The hub's types reach the generator as pseudo-operations (HubTypeDescriptions), so they get named schemas like
        // every REST type, nullability and references included; their paths are dropped here.
        options.AddDocumentTransformer((document, _, _) =>
        {
            foreach (var path in document.Paths.Keys.Where(path => path.StartsWith(HubTypeDescriptions.PathPrefix, StringComparison.Ordinal)).ToList())
                document.Paths.Remove(path);
            foreach (var tag in document.Tags?.Where(tag => tag.Name == HubTypeDescriptions.Tag).ToList() ?? [])
                document.Tags!.Remove(tag);
            foreach (var (name, schema) in document.Components?.Schemas?.Select(s => (s.Key, s.Value as OpenApiSchema)) ?? [])
            {
                // Enums travel as their camelCase names (WireJson); the generator lists the names but leaves the type out.
                if (schema?.Enum is { Count: > 0 } && schema.Type is null)
                    schema.Type = JsonSchemaType.String;
                // The server writes every field of what it answers, null or not (docs/api.md), so a generated type
                // need not make the reader check for a missing one. Problem details are ASP.NET Core's, which omit nulls.
                if (schema?.Properties is { Count: > 0 } && !name.EndsWith("Request", StringComparison.Ordinal) && !name.Contains("Problem", StringComparison.Ordinal) && name != "IFormFile")
                    schema.Required = schema.Properties.Keys.ToHashSet();
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>The JSON names of the request's fields marked <c>[property: Required]</c>.</summary>
    public static HashSet<string> RequiredFields(Type request) =>
    [
        .. request.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.GetCustomAttribute<RequiredAttribute>() is not null)
            .Select(property => WireJson.Options.PropertyNamingPolicy!.ConvertName(property.Name)),
    ];

    /// <summary>The name of the type's schema in the documents.</summary>
    public static string SchemaId(Type type) => ContractName(OpenApiOptions.CreateDefaultSchemaReferenceId(WireJson.Options.GetTypeInfo(type))!);

    private static string ContractName(string id) =>
        id.EndsWith("Dto", StringComparison.Ordinal) ? id[..^3]
        : id.EndsWith("View", StringComparison.Ordinal) && id.Length > 4 ? id[..^4]
        : id;
}
