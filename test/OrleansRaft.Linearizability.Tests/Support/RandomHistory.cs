namespace OrleansRaft.Linearizability.Tests.Support;

/// <summary>
/// Generates histories from a real sequential execution: each call takes effect at one instant between its call
/// and its return, against a plain dictionary. Such histories are linearizable by construction.
/// </summary>
internal static class RandomHistory
{
    public static List<Operation<KvInput, KvOutput>> Generate(int seed, HistorySettings settings)
    {
        var rng = new Random(seed);
        var store = new Dictionary<string, string>(StringComparer.Ordinal);
        var clients = new Client[settings.Clients];
        for (int i = 0; i < clients.Length; i++)
        {
            clients[i] = new Client();
        }

        var history = new List<Operation<KvInput, KvOutput>>(settings.Operations);
        var ready = new List<int>(clients.Length);
        long time = 0;
        int issued = 0;
        while (true)
        {
            ready.Clear();
            for (int i = 0; i < clients.Length; i++)
            {
                if (clients[i].Phase != Phase.Idle || issued < settings.Operations)
                {
                    ready.Add(i);
                }
            }

            if (ready.Count == 0)
            {
                return history;
            }

            int id = ready[rng.Next(ready.Count)];
            var client = clients[id];
            time += rng.Next(settings.MaxTimeStep + 1);
            switch (client.Phase)
            {
                case Phase.Idle:
                    client.Input = NextInput(rng, settings, store, issued);
                    client.Call = time;
                    issued++;
                    if (rng.NextDouble() < settings.LostRequestRate)
                    {
                        history.Add(Operation.Pending<KvInput, KvOutput>(id, time, client.Input));
                    }
                    else
                    {
                        client.Phase = Phase.Called;
                    }

                    break;

                case Phase.Called:
                    client.Output = Apply(store, client.Input!);
                    client.Phase = Phase.TookEffect;
                    if (rng.NextDouble() < settings.LostResponseRate)
                    {
                        history.Add(Operation.Pending<KvInput, KvOutput>(id, client.Call, client.Input!));
                        client.Phase = Phase.Idle;
                    }

                    break;

                case Phase.TookEffect:
                    history.Add(Operation.Completed(id, client.Call, time, client.Input!, client.Output!));
                    client.Phase = Phase.Idle;
                    break;
            }
        }
    }

    /// <summary>
    /// Replaces the output of one randomly chosen completed get or compare-and-set with a different one: another
    /// value written to that key (or absent) for a get, the opposite answer for a compare-and-set.
    /// Returns the position it changed, or -1 when the history has no such operation.
    /// </summary>
    public static int Corrupt(List<Operation<KvInput, KvOutput>> history, int seed)
    {
        var rng = new Random(seed);
        var candidates = Enumerable.Range(0, history.Count)
            .Where(i => !history[i].IsPending && history[i].Input.Kind != KvOperationKind.Put)
            .ToList();
        while (candidates.Count > 0)
        {
            int pick = rng.Next(candidates.Count);
            int at = candidates[pick];
            candidates.RemoveAt(pick);
            var op = history[at];
            KvOutput corrupted;
            if (op.Input.Kind == KvOperationKind.CompareAndSet)
            {
                corrupted = KvOutput.CompareAndSet(!op.Output!.Swapped);
            }
            else
            {
                var others = history
                    .Where(o => o.Input.Key == op.Input.Key && o.Input.Kind != KvOperationKind.Get)
                    .Select(o => o.Input.Value)
                    .Append(null)
                    .Where(v => v != op.Output!.Value)
                    .Distinct()
                    .ToList();
                if (others.Count == 0)
                {
                    continue;
                }

                corrupted = KvOutput.Read(others[rng.Next(others.Count)]);
            }

            history[at] = Operation.Completed(op.ClientId, op.Call, op.Return, op.Input, corrupted);
            return at;
        }

        return -1;
    }

    private static KvInput NextInput(Random rng, HistorySettings settings, Dictionary<string, string> store, int issued)
    {
        string key = "k" + rng.Next(settings.Keys);
        string value = settings.Values == 0 ? "v" + issued : "v" + rng.Next(settings.Values);
        int roll = rng.Next(100);
        if (roll < 35)
        {
            return KvInput.Put(key, value);
        }

        if (roll < 80)
        {
            return KvInput.Get(key);
        }

        // Expect the current value half the time, so that many compare-and-sets succeed.
        string? expected = rng.Next(4) switch
        {
            0 or 1 => store.GetValueOrDefault(key),
            2 => null,
            _ => settings.Values == 0 ? "v" + rng.Next(issued + 1) : "v" + rng.Next(settings.Values),
        };
        return KvInput.CompareAndSet(key, expected, value);
    }

    private static KvOutput Apply(Dictionary<string, string> store, KvInput input)
    {
        string? current = store.GetValueOrDefault(input.Key);
        switch (input.Kind)
        {
            case KvOperationKind.Put:
                store[input.Key] = input.Value!;
                return KvOutput.Written;
            case KvOperationKind.Get:
                return KvOutput.Read(current);
            default:
                if (current != input.Expected)
                {
                    return KvOutput.CompareAndSet(false);
                }

                store[input.Key] = input.Value!;
                return KvOutput.CompareAndSet(true);
        }
    }

    private enum Phase
    {
        Idle,
        Called,
        TookEffect,
    }

    private sealed class Client
    {
        public Phase Phase { get; set; }

        public KvInput? Input { get; set; }

        public long Call { get; set; }

        public KvOutput? Output { get; set; }
    }
}
