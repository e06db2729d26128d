using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using EventChat.Api.Hubs;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace EventChat.IntegrationTests;

/// <summary>
/// Every REST route of the OpenAPI document and every hub method, sent a fixed set of hostile values, one field at a
/// time and as whole bodies. The cases come from the document's paths, parameters and body schemas and from the hub
/// methods' request records (<see cref="HubRequestAttribute"/>), so a new route or method is swept without editing
/// this file. No answer may be a 500 or <c>internal</c>, hostile input gets a 4xx problem or the hub's <c>error</c>
/// event, ids of others' things are 403/404, no answer leaks them or a password hash, and nothing is stored.
/// How to read its output: docs/operations.md ("The bad-input sweep").
/// </summary>
public sealed class BadInputSweep(ITestOutputHelper output)
{
    private const int Concurrency = 16;
    private const int HubConnections = 6;
    private static readonly string OneMegabyte = new('x', 1024 * 1024);
    private static readonly string DeepNesting = new string('[', 10_000) + new string(']', 10_000);

    // The value kinds. Text kinds replace strings, number kinds numbers, id kinds UUIDs; "any" kinds replace every field.
    private static readonly (string Kind, string Json)[] TextValues =
    [
        ("NUL", "\"a\\u0000b\""), ("lone high surrogate", "\"a\\ud800b\""), ("lone low surrogate", "\"a\\udc00b\""),
        ("1 MB string", $"\"{OneMegabyte}\""), ("number for string", "12345"),
    ];

    private static readonly (string Kind, string Json)[] NumberValues =
    [
        ("string for number", "\"abc\""), ("negative", "-1"), ("long.MinValue", "-9223372036854775808"),
        ("beyond long", "9223372036854775808"), ("1e308", "1e308"), ("fraction", "1.5"),
    ];

    private static readonly (string Kind, string Json)[] AnyValues =
    [
        ("array for value", "[1, 2]"), ("object for value", "{\"a\": 1}"), ("deep nesting", DeepNesting),
    ];

    private static readonly (string Kind, string Json)[] ListValues =
    [
        ("object for array", "{\"a\": 1}"), ("string for array", "\"abc\""), ("malformed ids in array", "[\"not-a-guid\", 5]"),
        ("10,001 ids", "[" + string.Join(",", Enumerable.Range(0, 10_001).Select(_ => $"\"{Guid.NewGuid()}\"")) + "]"),
    ];

    private static readonly (string Kind, string Json)[] WholeBodies =
    [
        ("array body", "[]"), ("string body", "\"abc\""), ("number body", "1"), ("null body", "null"), ("malformed JSON", "{\"a\":"),
        ("deep nesting body", DeepNesting), ("1 MB body", $"{{\"junk\": \"{OneMegabyte}\"}}"),
    ];

    private sealed record Fixture(Guid Conversation, Guid Message, Guid Attachment, Guid Post, Guid Session, Guid User, string Secret);

    private sealed record Offence(string Method, string Route, string Field, string Kind, string Answer)
    {
        public override string ToString() => $"{Method} {Route} [{Field}] {Kind} -> {Answer}";
    }

    [Fact]
    public async Task Every_route_and_hub_method_refuses_hostile_input_without_a_500_a_leak_or_a_write()
    {
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            // Budgets high enough that a refusal always comes from the input, not from a spent budget.
            ["EventChat:Limits:MessageBurst"] = "1000000",
            ["EventChat:Limits:MessagesPerSecond"] = "1000000",
            ["EventChat:Limits:TypingBurst"] = "1000000",
            ["EventChat:Limits:TypingPerSecond"] = "1000000",
            ["EventChat:Login:MaxFailuresPerAddress"] = "1000000",
            ["EventChat:Login:MaxFailuresPerUser"] = "1000000",
            ["EventChat:Limits:MembershipBurst"] = "1000000",
            ["EventChat:Limits:MembershipPerMinute"] = "1000000",
            // Cases that close a connection are followed at once by a new one, while the server may still be running
            // the closed one's OnDisconnectedAsync; with six tabs open, ten in the count refused a tab in CI.
            ["EventChat:Limits:MaxConnectionsPerUser"] = "1000",
            // The auth endpoints' limits are raised for every test server (EventChatServer).
        });
        var offences = new ConcurrentBag<Offence>();
        var counts = new ConcurrentDictionary<string, int>();
        var caller = await server.NewUser("sweeper");
        var admin = await server.Admin;
        var fixture = await OthersThings(server);
        var before = await Stored(server);

        var started = DateTime.UtcNow;
        var document = await caller.Get("/openapi/v1.json");
        var rest = RestCases(document, fixture).ToList();
        await Parallel.ForEachAsync(rest, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (@case, _) =>
        {
            counts.AddOrUpdate(@case.Method + " " + @case.Route, 1, (_, n) => n + 1);
            if (await Judge(caller, @case, fixture, asAdmin: false) is { } offence)
                offences.Add(offence);
            // An admin may read any conversation, so for GETs the admin pass only looks for leaks of secrets.
            if (@case.Method == "GET")
            {
                counts.AddOrUpdate("GET (as admin) " + @case.Route, 1, (_, n) => n + 1);
                if (await Judge(admin, @case, fixture, asAdmin: true) is { } adminOffence)
                    offences.Add(adminOffence);
            }
        });
        var hub = HubCases(fixture, server.App.Services.GetRequiredService<HubLimits>().MaxHubMessageBytes).ToList();
        await Task.WhenAll(hub.Chunk((hub.Count + HubConnections - 1) / HubConnections).Select(async chunk =>
        {
            var tab = await caller.OpenTab();
            foreach (var @case in chunk)
            {
                counts.AddOrUpdate("hub " + @case.Method, 1, (_, n) => n + 1);
                _ = tab.Received("error");
                var offence = await JudgeHub(tab, @case, fixture);
                if (offence is not null)
                    offences.Add(offence);
                if (tab.Connection.State != Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected)
                {
                    await tab.DisposeAsync();
                    tab = await caller.OpenTab();
                }
            }
            await tab.DisposeAsync();
        }));
        var after = await Stored(server);

        foreach (var (route, count) in counts.OrderBy(c => c.Key))
            output.WriteLine($"{count,6}  {route}");
        var adminReads = rest.Count(c => c.Method == "GET");
        output.WriteLine($"{counts.Values.Sum(),6}  cases in total: {rest.Count} REST, the {adminReads} GETs of them again as an admin, {hub.Count} hub; in {(DateTime.UtcNow - started).TotalSeconds:F0} s");
        foreach (var offence in offences.OrderBy(o => o.ToString()))
            output.WriteLine("OFFENCE " + offence);
        // Other tests of the run log too, so these are shown to explain an offence, not asserted.
        foreach (var line in EventChatServer.LogLines.Where(l => l.StartsWith("Error")).Distinct().Take(20))
            output.WriteLine("ERROR LOG " + line[..Math.Min(line.Length, 1500)]);

        Assert.True(offences.IsEmpty && before == after,
            $"{offences.Count} offending cases:\n" + string.Join("\n", offences.Select(o => o.ToString()).Order())
            + (before == after ? "" : $"\nand the sweep stored something:\nbefore\n{before}\nafter\n{after}"));
    }

    // ---- REST ----

    private sealed record RestCase(string Method, string Route, string Field, string Kind, string Path, HttpContent? Body)
    {
        public bool OthersId => Kind.StartsWith("others'");
    }

    private static IEnumerable<RestCase> RestCases(JsonElement document, Fixture fixture)
    {
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = operation.Name.ToUpperInvariant();
                var parameters = operation.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
                var body = operation.Value.TryGetProperty("requestBody", out var b) ? b.GetProperty("content") : (JsonElement?)null;
                var json = body is { } c && c.TryGetProperty("application/json", out var j) ? Resolve(j.GetProperty("schema"), schemas) : (JsonElement?)null;
                var form = body is { } f && f.TryGetProperty("multipart/form-data", out _);
                string PathWith(string? name, string? value) => parameters.Where(q => q.GetProperty("in").GetString() == "path")
                    .Aggregate(path.Name, (route, q) => route.Replace("{" + q.GetProperty("name").GetString() + "}",
                        q.GetProperty("name").GetString() == name ? value : BaseValue(q.GetProperty("schema"), schemas).Trim('"')));
                HttpContent? BaseBody() => json is { } s ? Json(BodyWith(s, schemas, null, null)) : form ? Multipart("sweep.txt", "text/plain") : null;

                foreach (var parameter in parameters)
                {
                    var name = parameter.GetProperty("name").GetString()!;
                    var inPath = parameter.GetProperty("in").GetString() == "path";
                    foreach (var (kind, value) in UrlValues(parameter.GetProperty("schema"), schemas, fixture, method).Where(v => !inPath || !v.Value.Contains('\n')))
                    {
                        var route = inPath ? PathWith(name, value) : PathWith(null, null) + "?" + string.Join("&", value.Split('\n').Select(v => $"{name}={v}"));
                        yield return new(method, path.Name, name, kind, route, BaseBody());
                    }
                }
                if (json is { } schema)
                {
                    foreach (var (field, fieldSchema) in Properties(schema, schemas))
                        foreach (var (kind, value) in JsonValues(fieldSchema, schemas, fixture))
                            yield return new(method, path.Name, field, kind, PathWith(null, null), Json(BodyWith(schema, schemas, field, value)));
                    foreach (var (kind, value) in WholeBodies)
                        yield return new(method, path.Name, "(body)", kind, PathWith(null, null), Json(value));
                }
                if (form)
                {
                    foreach (var (kind, name) in new[] { ("NUL", "a%00b.txt"), ("1 MB string", OneMegabyte) })
                        yield return new(method, path.Name, "file name", kind, PathWith(null, null), Multipart(name, "text/plain"));
                    foreach (var (kind, type) in new[] { ("NUL", "text/pl\0ain"), ("1 MB string", "text/" + OneMegabyte) })
                        yield return new(method, path.Name, "file content type", kind, PathWith(null, null), Multipart("sweep.txt", type));
                    yield return new(method, path.Name, "(body)", "JSON for a form", PathWith(null, null), Json("{\"file\": \"abc\"}"));
                }
            }
    }

    private static async Task<Offence?> Judge(TestUser caller, RestCase @case, Fixture fixture, bool asAdmin)
    {
        using var request = new HttpRequestMessage(new HttpMethod(@case.Method), @case.Path) { Content = await Copy(@case.Body) };
        HttpResponseMessage sent;
        try
        {
            sent = await caller.Http.SendAsync(request);
        }
        // Kestrel may answer an oversized request (a 1 MB path, say) and close the connection before the client has
        // written all of it; the client then sees its write fail instead of the answer. The server refused to read it,
        // which is what the case asks; whether anything was written is checked after the sweep, as for every case.
        catch (HttpRequestException e) when (@case.Kind.Contains("1 MB", StringComparison.Ordinal) && e.InnerException is IOException)
        {
            return null;
        }
        using var response = sent;
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
        var code = problem ? TryCode(body) : null;
        var answer = $"{status}{(code is null ? "" : " " + code)}";
        Offence Offending(string why) => new(asAdmin ? "GET (as admin)" : @case.Method, @case.Route, @case.Field, @case.Kind, $"{answer}: {why}");

        if (body.Contains("passwordHash", StringComparison.OrdinalIgnoreCase))
            return Offending("carries a password hash");
        if (body.Contains(fixture.Secret) && !asAdmin)
            return Offending("carries another user's private content");
        if (status >= 500)
            return Offending("server error");
        if (asAdmin)
            return null;
        if (@case.OthersId && !@case.Kind.EndsWith("(public)") && status is not (400 or 403 or 404 or 429))
            return Offending("an id of another user's thing must be 403/404");
        if (status is >= 200 and < 300 && @case.Method != "GET")
            return Offending("hostile input accepted by a write");
        // Kestrel refuses some requests itself (a NUL in the path, a URL or headers too long) before any middleware, with no body.
        if (status is >= 400 and < 500 && !problem && !(body.Length == 0 && status is 400 or 413 or 414 or 431))
            return Offending("a 4xx that is not a problem");
        return null;
    }

    private static IEnumerable<(string Kind, string Value)> UrlValues(JsonElement schema, JsonElement schemas, Fixture fixture, string method)
    {
        var (type, format) = TypeOf(schema, schemas);
        if (format == "uuid")
        {
            foreach (var (kind, id) in OthersIds(fixture, includePublic: method == "GET"))
                yield return (kind, id.ToString());
            yield return ("random id", Guid.NewGuid().ToString());
            yield return ("empty id", Guid.Empty.ToString());
            yield return ("malformed id", "not-a-guid");
            yield return ("NUL", "%00");
            yield return ("number for id", "123");
        }
        else if (type is "integer" or "number")
        {
            yield return ("string for number", "abc");
            yield return ("negative", "-1");
            yield return ("long.MinValue", "-9223372036854775808");
            yield return ("beyond long", "9223372036854775808");
            yield return ("fraction", "1.5");
        }
        else
        {
            yield return ("NUL", "a%00b");
            yield return ("lone high surrogate", "a%ED%A0%80b");
            yield return ("1 MB string", OneMegabyte);
            yield return ("unparsable date or cursor", "not-a-date-%FF");
        }
        yield return ("repeated parameter", "1\n2");
    }

    private static IEnumerable<(string Kind, string Json)> JsonValues(JsonElement schema, JsonElement schemas, Fixture fixture)
    {
        var (type, format) = TypeOf(schema, schemas);
        IEnumerable<(string, string)> values = type switch
        {
            "array" => ListValues.Concat(OthersIds(fixture, includePublic: false).Select(o => (o.Kind + " in array", $"[\"{o.Id}\"]"))),
            "integer" or "number" => NumberValues,
            "boolean" => [("string for boolean", "\"yes\"")],
            _ when format == "uuid" => OthersIds(fixture, includePublic: false).Select(o => (o.Kind, $"\"{o.Id}\""))
                .Concat([("malformed id", "\"not-a-guid\""), ("number for id", "123"), ("empty id", $"\"{Guid.Empty}\"")]),
            _ => TextValues,
        };
        return values.Concat(AnyValues);
    }

    // Others' conversations, messages and attachments are private; posts and live sessions are public to every
    // signed-in user, so their ids are hostile only where a read could reveal more than the owner's public view.
    private static IEnumerable<(string Kind, Guid Id)> OthersIds(Fixture fixture, bool includePublic)
    {
        yield return ("others' conversation", fixture.Conversation);
        yield return ("others' message", fixture.Message);
        yield return ("others' attachment", fixture.Attachment);
        if (!includePublic)
            yield break;
        yield return ("others' post (public)", fixture.Post);
        yield return ("others' live session (public)", fixture.Session);
        // A user id where a conversation id belongs: the admin audit must not read a user's stream (password hash).
        yield return ("others' user id", fixture.User);
    }

    // ---- Hub ----

    private sealed record HubCase(string Method, string Field, string Kind, string Payload, bool Oversized, bool OthersId);

    private static IEnumerable<HubCase> HubCases(Fixture fixture, int maxMessageBytes)
    {
        foreach (var method in typeof(ChatHub).GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.GetCustomAttribute<HubMethodNameAttribute>()?.Name is not { } name)
                continue;
            var request = method.GetCustomAttribute<HubRequestAttribute>()?.RequestType
                ?? throw new InvalidOperationException($"Hub method {name} has no [HubRequest]; the sweep cannot know its payload.");
            var fields = request.GetConstructors().Single().GetParameters()
                .Select(p => (Name: JsonNamingPolicy.CamelCase.ConvertName(p.Name!), Schema: SchemaOf(p.ParameterType))).ToList();
            string Payload(string? field, string? value) =>
                "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{(f.Name == field ? value : BaseJson(f.Schema))}")) + "}";
            foreach (var (field, schema) in fields)
                foreach (var (kind, value) in HubValues(schema, fixture))
                {
                    var payload = Payload(field, value);
                    yield return new(name, field, kind, payload, Encoding.UTF8.GetByteCount(payload) > maxMessageBytes, kind.StartsWith("others'"));
                }
            foreach (var (kind, value) in WholeBodies)
                yield return new(name, "(payload)", kind, value, Encoding.UTF8.GetByteCount(value) > maxMessageBytes, false);
        }
    }

    private static IEnumerable<(string Kind, string Json)> HubValues(string schema, Fixture fixture) => schema switch
    {
        "uuid[]" => ListValues.Concat(OthersIds(fixture, includePublic: false).Select(o => (o.Kind + " in array", $"[\"{o.Id}\"]"))).Concat(AnyValues),
        "integer" => NumberValues.Concat(AnyValues),
        "uuid" => OthersIds(fixture, includePublic: false).Select(o => (o.Kind, $"\"{o.Id}\""))
            .Concat([("malformed id", "\"not-a-guid\""), ("number for id", "123"), ("empty id", $"\"{Guid.Empty}\"")]).Concat(AnyValues),
        _ => TextValues.Concat(AnyValues),
    };

    private static string SchemaOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(Guid) ? "uuid"
            : type == typeof(int) || type == typeof(long) ? "integer"
            : type.IsAssignableTo(typeof(IEnumerable<Guid>)) ? "uuid[]"
            : "string";
    }

    private static string BaseJson(string schema) => schema switch
    {
        "uuid" => $"\"{Guid.NewGuid()}\"",
        "uuid[]" => $"[\"{Guid.NewGuid()}\"]",
        "integer" => "1",
        _ => "\"sweep text\"",
    };

    private static async Task<Offence?> JudgeHub(Tab tab, HubCase @case, Fixture fixture)
    {
        Offence Offending(string answer) => new("hub", @case.Method, @case.Field, @case.Kind, answer);
        // The hub's size limit closes the connection (docs/api.md), and so does SignalR's JSON protocol for a message it
        // cannot parse (malformed JSON, nesting deeper than 64); anything else must answer.
        var mayClose = @case.Oversized || @case.Kind.StartsWith("deep nesting") || @case.Kind == "malformed JSON";
        try
        {
            var result = await tab.Invoke(@case.Method, new RawJson(@case.Payload)).WaitAsync(Tab.Timeout);
            var text = result.GetRawText();
            if (text.Contains("passwordHash", StringComparison.OrdinalIgnoreCase) || text.Contains(fixture.Secret))
                return Offending("success that leaks: " + text);
            // A harmless no-op (leaving a room one is not in, asking who of some ids is online) may succeed, leaking
            // nothing; getOnlineUsers and sync take a null payload, as documented.
            return @case.OthersId || @case.Kind is "random id" or "empty id" or "null body" ? null : Offending("success for hostile input: " + text);
        }
        catch (Exception failure) when (tab.Connection.State != Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected || failure is not HubException)
        {
            return mayClose ? null : Offending("connection closed: " + failure.Message);
        }
        catch (HubException failure)
        {
            var answered = tab.Next("error", e => e.GetProperty("method").GetString() == @case.Method);
            // The call can fail before the client has seen the close that follows it: then the close is the answer.
            var closed = tab.Closed;
            if (mayClose && await Task.WhenAny(answered, closed) == closed && closed.IsCompletedSuccessfully)
                return null;
            try
            {
                var error = await answered;
                var code = error.GetProperty("code").GetString();
                return code is "internal" or "unavailable" ? Offending("hub error " + code) : null;
            }
            catch (TimeoutException)
            {
                return Offending("failed without an error event: " + failure.Message);
            }
        }
    }

    // ---- Fixture and what is stored ----

    private static async Task<Fixture> OthersThings(EventChatServer server)
    {
        var secret = "sweep-secret-" + Guid.NewGuid().ToString("N");
        var carol = await server.NewUser("carol");
        var dave = await server.NewUser("dave");
        using var upload = Multipart($"{secret}.txt", "text/plain");
        var attachment = await Created(carol.Http.PostAsync("/api/chat/attachments", upload));
        var sent = await Created(carol.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = dave.Id, content = secret, attachmentIds = new[] { attachment.GetProperty("id").GetGuid() } }));
        var post = await Created(carol.Http.PostAsJsonAsync("/api/posts", new { content = "a public post" }));
        var session = await Created(carol.Http.PostAsJsonAsync("/api/streams", new { title = "a public live session" }));
        await Created(carol.Http.PostAsJsonAsync("/api/chat/conversations", new { participantIds = new[] { dave.Id }, title = secret }));
        return new(sent.GetProperty("message").GetProperty("conversationId").GetGuid(), sent.GetProperty("message").GetProperty("id").GetGuid(),
            attachment.GetProperty("id").GetGuid(), post.GetProperty("id").GetGuid(), session.GetProperty("id").GetGuid(), dave.Id, secret);
    }

    private static async Task<JsonElement> Created(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The event store's highest sequence, every document table's row count, and the attachment folder's files.</summary>
    private static async Task<string> Stored(EventChatServer server)
    {
        // The async daemon may still be folding the fixture's events into analytics documents; wait until it has.
        await server.AsyncProjectionsCaughtUp();
        await using var connection = await server.OpenDatabase();
        var state = new StringBuilder($"mt_events max seq {await Scalar(connection, "select coalesce(max(seq_id), 0) from mt_events")}\n");
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = current_schema() and table_name like 'mt_doc_%' order by 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        foreach (var table in tables)
            state.Append($"{table} {await Scalar(connection, $"select count(*) from {table}")}\n");
        var folder = server.App.Configuration["EventChat:Attachments:Folder"]!;
        state.Append($"attachment files {Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count()}");
        return state.ToString();
    }

    private static async Task<long> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    // ---- Bodies ----

    private static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    // Written by hand: HttpClient refuses a NUL in a header value, and a hostile client does not.
    private static HttpContent Multipart(string fileName, string contentType)
    {
        const string boundary = "sweep-boundary";
        var text = $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''{fileName}\r\nContent-Type: {contentType}\r\n\r\nhello\r\n--{boundary}--\r\n";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        return content;
    }

    private static async Task<HttpContent?> Copy(HttpContent? content)
    {
        if (content is null)
            return null;
        var copy = new ByteArrayContent(await content.ReadAsByteArrayAsync());
        foreach (var header in content.Headers)
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return copy;
    }

    private static string BodyWith(JsonElement schema, JsonElement schemas, string? field, string? value) =>
        "{" + string.Join(",", Properties(schema, schemas).Select(p => $"\"{p.Name}\":{(p.Name == field ? value : BaseValue(p.Schema, schemas))}")) + "}";

    // Plausible values that name nothing: every id is new, so a case whose only hostile part is refused changes nothing.
    private static string BaseValue(JsonElement schema, JsonElement schemas)
    {
        var (type, format) = TypeOf(schema, schemas);
        return type switch
        {
            "array" => $"[\"{Guid.NewGuid()}\"]",
            "integer" or "number" => "1",
            "boolean" => "true",
            _ when format == "uuid" => $"\"{Guid.NewGuid()}\"",
            _ => "\"sweep text\"",
        };
    }

    private static IEnumerable<(string Name, JsonElement Schema)> Properties(JsonElement schema, JsonElement schemas) =>
        Resolve(schema, schemas).TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => (p.Name, p.Value)) : [];

    private static JsonElement Resolve(JsonElement schema, JsonElement schemas) =>
        schema.TryGetProperty("$ref", out var reference) ? Resolve(schemas.GetProperty(reference.GetString()!.Split('/')[^1]), schemas) : schema;

    /// <summary>The schema's type (the first that is not "null") and format.</summary>
    private static (string? Type, string? Format) TypeOf(JsonElement schema, JsonElement schemas)
    {
        schema = Resolve(schema, schemas);
        var type = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(e => e.GetString()).FirstOrDefault(s => s != "null") : t.GetString()
            : null;
        return (type, schema.TryGetProperty("format", out var f) ? f.GetString() : null);
    }

    private static string? TryCode(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
