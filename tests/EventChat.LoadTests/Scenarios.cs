using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventChat.LoadTests;

/// <summary>One sending connection: the hub method it calls, the payload it builds around a content, and who receives each message.</summary>
public sealed class Sender(HubConnection connection, string method, Func<string, object> body, int recipients)
{
    public HubConnection Connection => connection;
    public int Recipients => recipients;
    public int Outstanding;

    public Task Send(string content, CancellationToken ct) => connection.InvokeAsync<IgnoredAnswer>(method, body(content), ct);
}

/// <summary>Answers are not read: deserializing into an empty record skips their contents.</summary>
public sealed record IgnoredAnswer;

/// <summary>The scenarios against a running EventChat. Each returns its result; none runs longer than its options allow.</summary>
public sealed partial class Scenarios(Options o, EventChatClient api, ProcessProbe server)
{
    private readonly Measurement _m = new();
    private readonly CpuWindow _cpu = new(server, new ProcessProbe(o.DatabasePid));
    private long _clientIds;
    private long _inFlight;
    private long _deliveryGate;
    private volatile bool _stopping;

    private bool Stopping() => _stopping;

    public async Task<RunResult> Direct(CancellationToken ct)
    {
        var setup = Stopwatch.StartNew();
        var prefix = EventChatClient.NewRunPrefix();
        var users = await api.RegisterMany(prefix, "d", 2 * o.Pairs, ct);
        // Bystanders: a push must not cost more because others are connected (it did, with Clients.User).
        var bystanders = await api.RegisterMany(prefix, "b", (o.IdleConnections + o.ConnectionsPerUser - 1) / o.ConnectionsPerUser, ct);
        var idle = await EventChatClient.Connect(api.BaseUrl, [.. Enumerable.Range(0, o.IdleConnections).Select(i => bystanders[i / o.ConnectionsPerUser])],
            _m.Errors, Stopping, null, ct);
        try
        {
            var result = await Pairs(api.BaseUrl, users, prefix, setup, ct);
            return o.IdleConnections == 0 ? result : result with
            {
                Connections = result.Connections + idle.Length,
                Note = string.Create(CultureInfo.InvariantCulture, $"{idle.Length} idle connections held open beside the pairs"),
            };
        }
        finally
        {
            await Close(idle);
        }
    }

    /// <summary>
    /// The same pairs through a bare SignalR hub in this process whose <c>sendMessage</c> costs the wire what
    /// EventChat's does: the ceiling of a direct message's traffic on this machine.
    /// </summary>
    public async Task<RunResult> DirectCeiling(CancellationToken ct)
    {
        var setup = Stopwatch.StartNew();
        await using var hub = await CeilingHub.Start(ct);
        // No accounts: the bare hub takes the bearer token for the user id.
        var users = Enumerable.Range(0, 2 * o.Pairs).Select(i =>
        {
            var id = Guid.CreateVersion7();
            return new Account(id, string.Create(CultureInfo.InvariantCulture, $"pair{i}"), id.ToString());
        }).ToArray();
        var result = await Pairs(hub.Url, users, EventChatClient.NewRunPrefix(), setup, ct);
        return result with
        {
            Url = hub.Url.ToString(),
            Note = "bare in-process SignalR hub (no auth, no database, no EventChat): sendMessage pushes messageSent, newMessage and "
                + "receiveMessage of EventChat's shapes and sizes to a group per user, as EventChat does, and answers the MessageDelivery",
        };
    }

    // Partners are 2k and 2k+1, both sending; the first send of either starts their direct conversation (during warm-up).
    private async Task<RunResult> Pairs(Uri server, Account[] users, string prefix, Stopwatch setup, CancellationToken ct)
    {
        var connections = await EventChatClient.Connect(server, users, _m.Errors, Stopping,
            (c, _) => c.On<Push>("newMessage", p => _m.Received(p.Message?.Content)), ct);
        try
        {
            var senders = users.Select((u, i) => new Sender(connections[i], "sendMessage",
                content => new { receiverId = users[i ^ 1].UserId, content, clientMessageId = ClientMessageId(prefix) }, recipients: 1)).ToList();
            return await Drive(senders, users.Length, connections.Length, setup.Elapsed, ct);
        }
        finally
        {
            await Close(connections);
        }
    }

    public async Task<RunResult> Group(CancellationToken ct)
    {
        var setup = Stopwatch.StartNew();
        var prefix = EventChatClient.NewRunPrefix();
        var users = await api.RegisterMany(prefix, "g", o.Groups * o.GroupSize, ct);
        var conversations = new Guid[o.Groups];
        for (var g = 0; g < o.Groups; g++)
        {
            var members = users.Skip(g * o.GroupSize).Take(o.GroupSize).ToList();
            conversations[g] = await api.CreateGroup(members[0], members.Skip(1).Select(m => m.UserId), $"load {prefix} {g}", ct);
        }
        var connections = await EventChatClient.Connect(api.BaseUrl, users, _m.Errors, Stopping,
            (c, _) => c.On<Push>("newMessage", p => _m.Received(p.Message?.Content)), ct);
        try
        {
            var senders = users.Select((u, i) => new Sender(connections[i], "sendMessage",
                content => new { conversationId = conversations[i / o.GroupSize], content, clientMessageId = ClientMessageId(prefix) },
                recipients: o.GroupSize - 1)).ToList();
            return await Drive(senders, users.Length, connections.Length, setup.Elapsed, ct);
        }
        finally
        {
            await Close(connections);
        }
    }

    public async Task<RunResult> Fanout(CancellationToken ct)
    {
        var setup = Stopwatch.StartNew();
        var prefix = EventChatClient.NewRunPrefix();
        var host = await api.Register($"{prefix}_host", ct);
        var session = await api.StartLiveSession(host, $"load {prefix}", ct);
        var viewerAccounts = await api.RegisterMany(prefix, "v", (o.Viewers + o.ConnectionsPerUser - 1) / o.ConnectionsPerUser, ct);
        var senderAccounts = await api.RegisterMany(prefix, "s", o.Senders, ct);
        var owners = Enumerable.Range(0, o.Viewers).Select(i => viewerAccounts[i / o.ConnectionsPerUser]).ToList();
        var viewers = await EventChatClient.Connect(api.BaseUrl, owners, _m.Errors, Stopping,
            (c, _) => c.On<Push>("stream-chat", p => _m.Received(p.Message?.Content)), ct);
        HubConnection[] senderConnections = [];
        try
        {
            senderConnections = await EventChatClient.Connect(api.BaseUrl, senderAccounts, _m.Errors, Stopping, null, ct);
            // Every join-stream is announced to the whole room (stream-viewers), so joining N viewers costs the server N²/2 pushes.
            var joins = Stopwatch.StartNew();
            await Parallel.ForEachAsync(viewers.Concat(senderConnections), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                async (c, token) => await c.InvokeAsync<IgnoredAnswer>("join-stream", new { sessionId = session }, token));
            var joinSeconds = joins.Elapsed.TotalSeconds;
            var senders = senderConnections.Select(c => new Sender(c, "stream-chat", content => new { sessionId = session, content }, recipients: o.Viewers)).ToList();
            _deliveryGate = (long)o.Viewers * o.Senders;
            var result = await Drive(senders, viewerAccounts.Length + senderAccounts.Length + 1, viewers.Length + senderConnections.Length, setup.Elapsed, ct);
            return result with
            {
                CeilingDeliveriesPerSecond = o.CeilingDeliveries,
                Ratio = o.CeilingDeliveries is > 0 ? Math.Round(result.DeliveriesPerSecond / o.CeilingDeliveries.Value, 4) : null,
                Note = string.Create(CultureInfo.InvariantCulture,
                    $"{o.Viewers} viewer connections on {viewerAccounts.Length} accounts; joining them took {joinSeconds:0.#} s (each join-stream is pushed to the whole room)"),
            };
        }
        finally
        {
            await Close([.. viewers, .. senderConnections]);
        }
    }

    /// <summary>The same fan-out through a bare SignalR hub in this process: the ceiling of push plus receive on this machine.</summary>
    public async Task<RunResult> Ceiling(CancellationToken ct)
    {
        var setup = Stopwatch.StartNew();
        await using var hub = await CeilingHub.Start(ct);
        var viewers = await EventChatClient.Connect(hub.Url, [.. Enumerable.Repeat(new Account(Guid.Empty, "viewer", "unused"), o.Viewers)], _m.Errors, Stopping,
            (c, _) => c.On<Push>("stream-chat", p => _m.Received(p.Message?.Content)), ct);
        try
        {
            var senders = Enumerable.Range(0, o.Senders).Select(_ => new Sender(null!, "stream-chat", _ => new(), o.Viewers)).ToList();
            _deliveryGate = (long)o.Viewers * o.Senders;
            var sessionId = Guid.CreateVersion7();
            long sequence = 1;
            Func<Sender, string, CancellationToken, Task> broadcast = (_, content, token) => hub.Broadcast(sessionId, Interlocked.Increment(ref sequence), content, token);
            var result = await Drive(senders, 0, viewers.Length, setup.Elapsed, ct, broadcast);
            return result with
            {
                Url = hub.Url.ToString(),
                Note = "bare in-process SignalR hub (no auth, no database, no EventChat): Clients.All.SendAsync of a stream-chat-shaped payload, closed loop per sender",
            };
        }
        finally
        {
            await Close(viewers);
        }
    }

    public async Task<RunResult> Idle(CancellationToken ct)
    {
        var setup = Stopwatch.StartNew();
        var prefix = EventChatClient.NewRunPrefix();
        var accounts = await api.RegisterMany(prefix, "i", (o.Connections + o.ConnectionsPerUser - 1) / o.ConnectionsPerUser, ct);
        var owners = Enumerable.Range(0, o.Connections).Select(i => accounts[i / o.ConnectionsPerUser]).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var before = await api.ServerMemoryBytes(ct);
        var connections = await EventChatClient.Connect(api.BaseUrl, owners, _m.Errors, Stopping, null, ct);
        try
        {
            var setupSeconds = setup.Elapsed.TotalSeconds;
            _cpu.Start();
            await Task.Delay(o.Duration, ct);
            var (serverCpu, loadCpu, machineCpu, databaseCpu) = _cpu.Stop();
            var after = await api.ServerMemoryBytes(ct);
            return new RunResult
            {
                Scenario = o.Scenario,
                Label = o.Label,
                Url = api.BaseUrl.ToString(),
                StartedAt = DateTimeOffset.UtcNow - setup.Elapsed,
                DurationSeconds = o.Duration.TotalSeconds,
                WarmupSeconds = 0,
                SetupSeconds = Math.Round(setupSeconds, 1),
                Users = accounts.Length,
                Connections = connections.Length,
                Mode = "idle",
                Errors = _m.Errors.Total,
                ErrorKinds = _m.Errors.Snapshot(),
                ServerRssMbBefore = Mb(before),
                ServerRssMbAfter = Mb(after),
                ServerKbPerConnection = before is { } b && after is { } a ? Math.Round((a - b) / 1024.0 / connections.Length, 1) : null,
                ServerCpuPercent = serverCpu,
                DatabaseCpuPercent = databaseCpu,
                LoadCpuPercent = loadCpu,
                MachineCpuPercent = machineCpu,
                Note = string.Create(CultureInfo.InvariantCulture,
                    $"{connections.Length} connections on {accounts.Length} accounts, idle for {o.Duration.TotalSeconds:0.#} s; RSS growth includes garbage not yet collected, so it is an upper bound"),
            };
        }
        finally
        {
            await Close(connections);
        }
    }

    private string? ClientMessageId(string prefix) =>
        o.ClientMessageId ? string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Interlocked.Increment(ref _clientIds)}") : null;

    private async Task Close(IReadOnlyList<HubConnection> connections)
    {
        _stopping = true;
        await EventChatClient.DisposeAll(connections);
    }

    /// <summary>Runs the senders through warm-up and the measured window, then waits for the last deliveries.</summary>
    private async Task<RunResult> Drive(List<Sender> senders, int users, int connections, TimeSpan setup, CancellationToken ct,
        Func<Sender, string, CancellationToken, Task>? send = null)
    {
        send ??= (s, content, token) => s.Send(content, token);
        var before = await api.ServerMemoryBytes(ct);
        var started = DateTimeOffset.UtcNow;
        _m.OpenWindow(o.Warmup, o.Duration);
        var cpuStarted = false;
        var cpuTask = Task.Run(async () =>
        {
            await Task.Delay(o.Warmup, ct);
            _cpu.Start();
            cpuStarted = true;
        }, ct);
        var loops = o.Rate is { } rate
            ? senders.Select(s => OpenLoop(s, rate / senders.Count, send, ct))
            : senders.Select(s => ClosedLoop(s, send, ct));
        await Task.WhenAll(loops);
        await cpuTask;
        var (serverCpu, loadCpu, machineCpu, databaseCpu) = cpuStarted ? _cpu.Stop() : (null, 0, null, null);
        await _m.Drain(TimeSpan.FromSeconds(5), () => Interlocked.Read(ref _inFlight));
        var after = await api.ServerMemoryBytes(ct);
        var seconds = o.Duration.TotalSeconds;
        var mps = Math.Round(_m.Sent / seconds, 1);
        if (_m.Delivered < _m.Expected)
            _m.Errors.Add("undelivered", _m.Expected - _m.Delivered);
        return new RunResult
        {
            Scenario = o.Scenario,
            Label = o.Label,
            Url = api.BaseUrl.ToString(),
            StartedAt = started,
            DurationSeconds = seconds,
            WarmupSeconds = o.Warmup.TotalSeconds,
            SetupSeconds = Math.Round(setup.TotalSeconds, 1),
            Users = users,
            Connections = connections,
            Senders = senders.Count,
            RecipientsPerMessage = senders.FirstOrDefault()?.Recipients ?? 0,
            Mode = o.Rate is null ? "closed" : "open",
            TargetRate = o.Rate,
            ClientMessageId = o.ClientMessageId && o.Scenario is "direct" or "direct-ceiling" or "group",
            MessagesSent = _m.Sent,
            MessagesPerSecond = mps,
            Deliveries = _m.Delivered,
            DeliveriesExpected = _m.Expected,
            DeliveriesPerSecond = Math.Round(_m.Delivered / seconds, 1),
            Latency = _m.Latency.Summary(),
            AckLatency = _m.Ack.Summary(),
            Errors = _m.Errors.Total,
            ErrorKinds = _m.Errors.Snapshot(),
            ServerRssMbBefore = Mb(before),
            ServerRssMbAfter = Mb(after),
            ServerCpuPercent = serverCpu,
            DatabaseCpuPercent = databaseCpu,
            LoadCpuPercent = loadCpu,
            MachineCpuPercent = machineCpu,
            CeilingTps = o.CeilingTps,
            Ratio = o.CeilingTps is > 0 ? Math.Round(mps / o.CeilingTps.Value, 4) : null,
        };
    }

    private static double? Mb(long? bytes) => bytes is { } b ? Math.Round(b / 1024.0 / 1024.0, 1) : null;

    // One send in flight per sender, the next as soon as the last is acknowledged. For fan-out, acknowledged is not
    // enough: a broadcast is acknowledged once it is queued for every viewer, so a sender also waits while more than
    // one message per sender is still owed to the viewers. Otherwise the queues, not the pushes, would be measured.
    private async Task ClosedLoop(Sender s, Func<Sender, string, CancellationToken, Task> send, CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            while (_deliveryGate > 0 && _m.Undelivered >= _deliveryGate && Stopwatch.GetTimestamp() < _m.WindowEnd)
                await Task.Delay(1, ct);
            var stamp = Stopwatch.GetTimestamp();
            if (stamp >= _m.WindowEnd)
                return;
            await SendOne(s, stamp, send, ct);
        }
    }

    // Sends on a fixed schedule whatever the server's pace. The stamp is the scheduled time, so queueing behind a slow
    // server shows in the latency (no coordinated omission). More than --max-outstanding unanswered sends sheds the next.
    private async Task OpenLoop(Sender s, double perSecond, Func<Sender, string, CancellationToken, Task> send, CancellationToken ct)
    {
        var period = (long)(Stopwatch.Frequency / perSecond);
        var next = Stopwatch.GetTimestamp() + Random.Shared.NextInt64(Math.Max(1, period));
        var pending = new List<Task>();
        while (next < _m.WindowEnd && !ct.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (next > now)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)(next - now) / Stopwatch.Frequency), ct);
                continue;
            }
            if (Volatile.Read(ref s.Outstanding) >= o.MaxOutstanding)
            {
                if (_m.InWindow(next))
                    _m.Errors.Add("shed");
            }
            else
            {
                Interlocked.Increment(ref s.Outstanding);
                Interlocked.Increment(ref _inFlight);
                pending.Add(Fire(s, next, send, ct));
                if (pending.Count > 1024)
                    pending.RemoveAll(t => t.IsCompleted);
            }
            next += period;
        }
        await Task.WhenAll(pending);
    }

    private async Task Fire(Sender s, long stamp, Func<Sender, string, CancellationToken, Task> send, CancellationToken ct)
    {
        try
        {
            await SendOne(s, stamp, send, ct);
        }
        finally
        {
            Interlocked.Decrement(ref s.Outstanding);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task SendOne(Sender s, long stamp, Func<Sender, string, CancellationToken, Task> send, CancellationToken ct)
    {
        try
        {
            await send(s, Payload.Content(stamp, o.ContentLength), ct);
            _m.Acked(stamp, s.Recipients);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            _m.Errors.Add(e);
            // Do not spin on a closed connection or a spent rate budget.
            await Task.Delay(100, CancellationToken.None);
        }
    }
}
