using System.Text.Json.Nodes;
using EventChat.Api.Hubs;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EventChat.Api.OpenApi;

/// <summary>
/// The hub described as an AsyncAPI 3.0 document at <c>/asyncapi/v1.json</c>, beside the OpenAPI one: one channel, the
/// hub's address; a <c>send</c> operation per hub method, with its answer as the reply, and a <c>receive</c>
/// operation per event the server pushes. Payloads are the OpenAPI document's own schemas, copied in whole, so a field
/// is described once for REST and the hub alike (<see cref="ContractSchemas"/>, <see cref="HubContract"/>).
/// </summary>
public static class AsyncApiDocument
{
    public const string DocumentPath = "/asyncapi/v1.json";
    private const string Channel = "chat";

    public static void MapAsyncApi(this WebApplication app) =>
        app.MapGet(DocumentPath, async (HttpContext http, [FromKeyedServices("v1")] IOpenApiDocumentProvider openApi, CancellationToken ct) =>
        {
            var schemas = JsonNode.Parse(await (await openApi.GetOpenApiDocumentAsync(ct)).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, ct))!["components"]!["schemas"]!;
            return Results.Text(Build(http.Request, schemas.DeepClone()).ToJsonString(), "application/json");
        }).AllowAnonymous().ExcludeFromDescription();

    public static JsonObject Build(HttpRequest request, JsonNode schemas)
    {
        var messages = new JsonObject();
        var channelMessages = new JsonObject();
        var operations = new JsonObject();
        void AddMessage(string id, string name, Type? payload, string summary, bool optional = false)
        {
            var message = new JsonObject { ["name"] = name, ["summary"] = summary };
            if (payload is not null)
            {
                JsonNode schema = Ref("#/components/schemas/" + ContractSchemas.SchemaId(payload));
                message["payload"] = optional ? new JsonObject { ["oneOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) } : schema;
            }
            messages[id] = message;
            channelMessages[id] = Ref("#/components/messages/" + id);
        }
        foreach (var method in HubContract.Methods)
        {
            AddMessage(method.Name, method.Name, method.Request, $"Invoke {method.Name}" + (method.PayloadOptional ? "; the argument may be left out." : "."), method.PayloadOptional);
            var operation = new JsonObject
            {
                ["action"] = "send",
                ["channel"] = Ref("#/channels/" + Channel),
                ["messages"] = new JsonArray(Ref($"#/channels/{Channel}/messages/{method.Name}")),
                ["description"] = "A hub invocation. A failed call stores and pushes nothing, fails with a HubException and sends the caller the error event.",
            };
            if (method.Result is not null)
            {
                AddMessage(method.Name + ".result", method.Name, method.Result, $"What {method.Name} answers.");
                operation["reply"] = new JsonObject
                {
                    ["channel"] = Ref("#/channels/" + Channel),
                    ["messages"] = new JsonArray(Ref($"#/channels/{Channel}/messages/{method.Name}.result")),
                };
            }
            operations[method.Name] = operation;
        }
        foreach (var @event in HubContract.Events)
        {
            var id = "on." + @event.Name;
            AddMessage(id, @event.Name, @event.Payload, "Sent to " + @event.Audience + ".");
            operations[id] = new JsonObject
            {
                ["action"] = "receive",
                ["channel"] = Ref("#/channels/" + Channel),
                ["messages"] = new JsonArray(Ref($"#/channels/{Channel}/messages/{id}")),
            };
        }

        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new JsonObject
            {
                ["title"] = "EventChat hub",
                ["version"] = "v1",
                ["description"] = "The real-time API of EventChat: SignalR with the JSON protocol. Each message's name is the hub method a "
                    + "client invokes or the event it receives; every method takes one argument, a JSON object. The REST API is in "
                    + ApiReference.DocumentPath + " and the full reference, with every rule and error, is docs/api.md.",
            },
            ["defaultContentType"] = "application/json",
            ["servers"] = new JsonObject
            {
                ["eventchat"] = new JsonObject
                {
                    ["host"] = request.Host.Value,
                    ["protocol"] = request.IsHttps ? "wss" : "ws",
                    ["pathname"] = ChatHub.Path,
                    ["description"] = "SignalR over WebSockets (or its other transports, after negotiation).",
                    ["security"] = new JsonArray(Ref("#/components/securitySchemes/bearer"), Ref("#/components/securitySchemes/accessToken")),
                },
            },
            ["channels"] = new JsonObject
            {
                [Channel] = new JsonObject
                {
                    ["address"] = ChatHub.Path,
                    ["messages"] = channelMessages,
                },
            },
            ["operations"] = operations,
            ["components"] = new JsonObject
            {
                ["messages"] = messages,
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT", ["description"] = "The same token as REST." },
                    ["accessToken"] = new JsonObject { ["type"] = "httpApiKey", ["in"] = "query", ["name"] = "access_token", ["description"] = "The token, for browsers, which cannot set headers on a WebSocket." },
                },
            },
        };
    }

    private static JsonObject Ref(string to) => new() { ["$ref"] = to };
}
