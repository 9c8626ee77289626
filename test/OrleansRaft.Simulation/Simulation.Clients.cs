namespace OrleansRaft.Simulation;

public sealed partial class Simulation
{
    private void StepClients()
    {
        foreach (var client in _clients)
        {
            if (client.Current is { } current && _now >= client.Deadline)
            {
                // No answer in time: the outcome stays unknown. Continue as a new client, so that the old
                // operation may still take effect concurrently with everything that follows.
                Trace($"timeout {current}");
                client.Current = null;
                client.AwaitingMember = false;
                client.Id = _nextClientId++;
                client.NextActionAt = _now + _random.Next(20);
            }

            if (_now < client.NextActionAt || client.AwaitingMember)
            {
                continue;
            }

            if (client.Current is null)
            {
                client.Current = NewOperation(client);
                client.Deadline = _now + ClientTimeout;
                _history.Add(client.Current);
            }

            var target = client.LeaderGuess != 0 ? client.LeaderGuess : (ulong)(_random.Next(_nodes.Count) + 1);
            var node = _nodes[(int)target - 1];
            if (!node.Up)
            {
                client.LeaderGuess = 0;
                client.NextActionAt = _now + 10;
                continue;
            }

            // A client learns nothing from a member that knows no leader: it tries a random one next.
            node.HandleClient(client, client.Current, _now);
            if (!client.AwaitingMember && client.LeaderGuess == 0)
            {
                client.NextActionAt = _now + 10 + _random.Next(10);
            }
        }
    }

    private ClientOperation NewOperation(SimClient client)
    {
        var key = $"k{_random.Next(_parameters.Keys)}";
        return _random.Next(3) switch
        {
            0 => new ClientOperation { ClientId = client.Id, Kind = OperationKind.Put, Key = key, Value = $"v{_nextValue++}", CallTime = _now },
            1 => new ClientOperation { ClientId = client.Id, Kind = OperationKind.Get, Key = key, CallTime = _now },
            _ => new ClientOperation
            {
                ClientId = client.Id,
                Kind = OperationKind.CompareAndSet,
                Key = key,
                Expected = _random.Next(4) == 0 || _nextValue == 0 ? null : $"v{_random.Next(_nextValue)}",
                Value = $"v{_nextValue++}",
                CallTime = _now,
            },
        };
    }

    /// <summary>A member reports the outcome of a client's operation.</summary>
    private void Complete(SimClient client, ClientOperation operation, string? output, long now, ulong member)
    {
        if (!ReferenceEquals(client.Current, operation))
        {
            // The client gave up on it already; its outcome stays unknown in the history.
            return;
        }

        operation.Output = output;
        operation.ReturnTime = now;
        client.Current = null;
        client.AwaitingMember = false;
        client.NextActionAt = now + _random.Next(30);
        if (_config.Quiescence && _quietRandom.Next(4) == 0)
        {
            // A pause longer than an election timeout, so that the group goes quiet between operations.
            client.NextActionAt += _quietRandom.Next(150, 900);
        }

        Trace($"done at {member}: {operation}");
    }
}
