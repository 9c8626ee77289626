using Orleans.Runtime;

namespace OrleansRaft.Hosting.Quiescence;

/// <summary>
/// The quiet followers on this silo, by the silo their leader runs on: what the liveness watch wakes when a silo
/// fails. A follower is listed while it is quiet and unlisted when it wakes or deactivates.
/// </summary>
/// <remarks>Thread-safe: member grains list themselves from their own activations, the watch reads from its own.</remarks>
internal sealed class RaftQuietFollowers
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SiloAddress, HashSet<string>> _bySilo = [];
    private readonly Dictionary<string, SiloAddress> _byMember = new(StringComparer.Ordinal);

    /// <summary>Lists <paramref name="member"/> under <paramref name="leaderSilo"/>, replacing any earlier listing.</summary>
    public void List(string member, SiloAddress leaderSilo)
    {
        lock (_gate)
        {
            if (_byMember.TryGetValue(member, out var listed))
            {
                if (listed.Equals(leaderSilo))
                {
                    return;
                }

                RemoveLocked(member, listed);
            }

            ListLocked(member, leaderSilo);
        }
    }

    /// <summary>Lists <paramref name="member"/> under <paramref name="leaderSilo"/> unless it is listed already, under any silo.</summary>
    public void ListIfAbsent(string member, SiloAddress leaderSilo)
    {
        lock (_gate)
        {
            if (!_byMember.ContainsKey(member))
            {
                ListLocked(member, leaderSilo);
            }
        }
    }

    public void Unlist(string member)
    {
        lock (_gate)
        {
            if (_byMember.TryGetValue(member, out var listed))
            {
                RemoveLocked(member, listed);
            }
        }
    }

    /// <summary>The silo <paramref name="member"/> is listed under; null when it is not listed.</summary>
    public SiloAddress? ListedUnder(string member)
    {
        lock (_gate)
        {
            return _byMember.GetValueOrDefault(member);
        }
    }

    /// <summary>The silos that lead some quiet follower here.</summary>
    public SiloAddress[] LeaderSilos()
    {
        lock (_gate)
        {
            return [.. _bySilo.Keys];
        }
    }

    /// <summary>Unlists and returns the quiet followers whose leader runs on <paramref name="silo"/>.</summary>
    public string[] TakeFollowersOf(SiloAddress silo)
    {
        lock (_gate)
        {
            if (!_bySilo.Remove(silo, out var members))
            {
                return [];
            }

            foreach (var member in members)
            {
                _byMember.Remove(member);
            }

            return [.. members];
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byMember.Count;
            }
        }
    }

    private void ListLocked(string member, SiloAddress leaderSilo)
    {
        _byMember[member] = leaderSilo;
        if (!_bySilo.TryGetValue(leaderSilo, out var members))
        {
            _bySilo[leaderSilo] = members = new HashSet<string>(StringComparer.Ordinal);
        }

        members.Add(member);
    }

    private void RemoveLocked(string member, SiloAddress silo)
    {
        _byMember.Remove(member);
        if (_bySilo.TryGetValue(silo, out var members) && members.Remove(member) && members.Count == 0)
        {
            _bySilo.Remove(silo);
        }
    }
}
