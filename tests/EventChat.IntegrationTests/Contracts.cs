using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventChat.Api.Hubs;
using EventChat.Application;
using EventChat.IntegrationTests.Infrastructure;
using Json.Schema;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>
/// The machine-readable contracts a client generator reads: the OpenAPI document of REST and the AsyncAPI document of
/// the hub. They must name things as the contract does, type integers as integers, and say what the wire really
/// carries, which the last test checks against a real session.
/// </summary>
[Collection(SecondServerCollection.Name)]
public sealed partial class Contracts
{
    [Fact]
    public async Task Every_operation_has_a_unique_camel_case_operation_id_and_schemas_are_named_and_typed_as_the_contract()
    {
        var document = await Document("/openapi/v1.json");

        var operations = document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => (Route: op.Key + " " + path.Key, Id: (string?)op.Value!["operationId"]))).ToList();
        Assert.All(operations, op => Assert.True(op.Id is not null && CamelCase().IsMatch(op.Id), $"{op.Route} has operationId '{op.Id}'"));
        Assert.Equal(operations.Count, operations.Select(op => op.Id).Distinct().Count());
        Assert.Contains(("get /api/posts", "listPosts"), operations);
        Assert.Contains(("get /api/streams", "listLiveSessions"), operations);

        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.DoesNotContain(schemas, schema => schema.Key.EndsWith("Dto") || schema.Key.EndsWith("View"));
        Assert.Contains("Message", schemas.Select(s => s.Key));
        // An integer that may also be a string is what made `lastSequence + 1` fail to type check.
        Assert.DoesNotContain("\"string\",\"integer\"", document.ToJsonString().Replace("\"integer\",\"string\"", "\"string\",\"integer\""));
        Assert.Equal(["direct", "group"], schemas["ConversationKind"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.Contains("image", schemas["SendMessageRequest"]!["properties"]!["messageType"]!["enum"]!.AsArray().Select(v => (string)v!));
        // The session list filters by the sessions' own state, so the field and the parameter offer the same two values.
        Assert.Equal(["live", "ended"], schemas["LiveSession"]!["properties"]!["state"]!["enum"]!.AsArray().Select(v => (string)v!));
        var state = document["paths"]!["/api/streams"]!["get"]!["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "state")!;
        Assert.Equal(["live", "ended"], state["schema"]!["enum"]!.AsArray().Select(v => (string)v!));
        // An answer carries every field, null or not, so a generated type has no optional ones.
        foreach (var answer in new[] { "Message", "Conversation", "SyncItem", "MessageDelivery" })
            Assert.Equal(schemas[answer]!["properties"]!.AsObject().Select(p => p.Key).Order(), schemas[answer]!["required"]!.AsArray().Select(v => (string)v!).Order());

        // A request states what it needs, and offers no null to send.
        var send = schemas["RegisterRequest"]!;
        Assert.Equal(["password", "username"], send["required"]!.AsArray().Select(v => (string)v!).Order());
        Assert.Equal("string", (string)send["properties"]!["displayName"]!["type"]!);
    }

    [Fact]
    public async Task The_asyncapi_document_describes_every_hub_method_and_every_event_the_server_sends()
    {
        var document = await Document("/asyncapi/v1.json");

        Assert.Equal("3.0.0", (string)document["asyncapi"]!);
        var operations = document["operations"]!.AsObject();
        var methods = typeof(ChatHub).GetMethods().Select(m => m.GetCustomAttribute<HubMethodNameAttribute>()?.Name).OfType<string>().Order();
        var events = typeof(ClientEvents).GetFields().Select(f => "on." + (string)f.GetRawConstantValue()!).Order();
        Assert.Equal(methods, operations.Where(op => (string)op.Value!["action"]! == "send").Select(op => op.Key).Order());
        Assert.Equal(events, operations.Where(op => (string)op.Value!["action"]! == "receive").Select(op => op.Key).Order());

        var text = document.ToJsonString();
        foreach (Match reference in Regex.Matches(text, "\"\\$ref\":\"#/([^\"]+)\""))
            Assert.True(Resolve(document, reference.Groups[1].Value) is not null, $"{reference.Value} points nowhere");
    }

    [Fact]
    public async Task Every_event_and_answer_of_a_real_session_matches_its_schema_in_the_asyncapi_document()
    {
        var server = await EventChatServer.Instance;
        var document = await Document("/asyncapi/v1.json");
        await using var alice = await server.NewUser("contract-a");
        await using var bob = await server.NewUser("contract-b");
        await using var aliceTab = await alice.OpenTab();
        await using var bobTab = await bob.OpenTab();
        var answers = new List<(string Method, JsonElement Answer)>();
        async Task<JsonElement> Call(Tab tab, string method, object? payload)
        {
            var answer = await tab.Invoke(method, payload);
            answers.Add((method, answer));
            return answer;
        }

        var sent = await Call(aliceTab, "sendMessage", new { receiverId = bob.Id, content = "hello" });
        var conversationId = ConversationId(sent);
        await Call(bobTab, "joinRoom", new { conversationId });
        await aliceTab.Send("typingStart", new { conversationId });
        await bobTab.Next("userTyping");
        await Call(bobTab, "messageRead", new { conversationId, messageId = sent.GetProperty("message").GetProperty("id").GetGuid() });
        await aliceTab.Next("messageRead");
        await Call(aliceTab, "getOnlineUsers", new { userIds = new[] { bob.Id } });
        await Call(aliceTab, "sync", null);
        await Call(aliceTab, "leaveRoom", new { conversationId });
        var group = await alice.CreateGroup(bob);
        await Call(aliceTab, "sendMessage", new { conversationId = group, content = "to the group", messageType = "text" });
        await bobTab.Next("newMessage", m => m.GetProperty("conversation").GetProperty("id").GetGuid() == group);
        await Assert.ThrowsAsync<HubException>(() => aliceTab.Invoke("sendMessage", new { content = "to nobody" }));
        await aliceTab.Next("error");

        var received = aliceTab.ReceivedAny().Concat(bobTab.ReceivedAny()).ToList();
        Assert.Contains(received, e => e.Name == "receiveMessage");
        var checks = received.Select(e => (Message: "on." + e.Name, Payload: e.Payload))
            .Concat(answers.Select(a => (Message: a.Method + ".result", Payload: a.Answer)));
        foreach (var (message, payload) in checks)
        {
            var schema = PayloadSchema(document, message);
            var result = schema.Evaluate(payload, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"{message} does not match its schema: {payload.GetRawText()}\n"
                + string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(error => $"{d.InstanceLocation}: {error.Value}"))));
        }
    }

    private static JsonSchema PayloadSchema(JsonNode document, string message)
    {
        var payload = document["components"]!["messages"]![message]!["payload"]!.DeepClone();
        // The document's schemas become the payload schema's own definitions, so its references resolve within it.
        var root = new JsonObject
        {
            ["$defs"] = document["components"]!["schemas"]!.DeepClone(),
            ["allOf"] = new JsonArray(payload),
        };
        var text = root.ToJsonString().Replace("#/components/schemas/", "#/$defs/");
        return JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://eventchat.test/{Uri.EscapeDataString(message)}"));
    }

    private static JsonNode? Resolve(JsonNode document, string pointer) =>
        pointer.Split('/').Aggregate((JsonNode?)document, (node, part) => node?[part.Replace("~1", "/").Replace("~0", "~")]);

    private static async Task<JsonNode> Document(string path)
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();
        return (await anonymous.GetFromJsonAsync<JsonNode>(path))!;
    }

    [GeneratedRegex("^[a-z][A-Za-z0-9]*$")]
    private static partial Regex CamelCase();
}
