namespace Warren.Management.Http;

/// <summary>Which tag a route needs, with RabbitMQ's rules (management ⊂ policymaker ⊂ monitoring ⊂ administrator, roughly).</summary>
internal enum Access
{
    /// <summary>No credentials needed (none of the API; kept for completeness).</summary>
    Anyone,
    /// <summary>Any of management, policymaker, monitoring, administrator.</summary>
    Management,
    /// <summary>policymaker or administrator.</summary>
    PolicyMaker,
    /// <summary>monitoring or administrator.</summary>
    Monitoring,
    /// <summary>administrator only.</summary>
    Administrator,
}

internal delegate Task RouteHandler(ApiRequest request);

/// <summary>
/// The API's routes, matched on the raw, still percent-encoded path, so that <c>%2F</c> in a
/// virtual host name stays one segment (ASP.NET Core routing would decode it into a slash's
/// neighbour). A path that matches with a method it lacks is 405; no match is 404.
/// </summary>
internal sealed class Router
{
    private readonly List<Route> _routes = [];

    public void Map(string method, string pattern, Access access, RouteHandler handler)
    {
        var segments = pattern.Trim('/').Split('/');
        var route = _routes.Find(r => r.Pattern.SequenceEqual(segments));
        if (route is null)
        {
            route = new Route(segments);
            _routes.Add(route);
        }
        route.Handlers[method] = (access, handler);
    }

    /// <summary>
    /// Finds the route for a path (raw segments); false when none matches. Where several match,
    /// the one with more literal segments wins (/api/users/without-permissions over /api/users/{name}).
    /// </summary>
    public bool TryMatch(string[] segments, out Route route, out Dictionary<string, string> values)
    {
        Route? best = null;
        var bestLiterals = -1;
        foreach (var candidate in _routes)
        {
            if (candidate.Pattern.Length != segments.Length) continue;
            var literals = 0;
            var ok = true;
            for (var i = 0; i < segments.Length && ok; i++)
            {
                var part = candidate.Pattern[i];
                if (part.StartsWith('{')) continue;
                ok = part == segments[i];
                literals++;
            }
            if (ok && literals > bestLiterals)
            {
                best = candidate;
                bestLiterals = literals;
            }
        }
        values = new Dictionary<string, string>();
        route = best!;
        if (best is null) return false;
        for (var i = 0; i < segments.Length; i++)
        {
            if (best.Pattern[i].StartsWith('{')) values[best.Pattern[i][1..^1]] = segments[i];
        }
        return true;
    }

    internal sealed class Route(string[] pattern)
    {
        public string[] Pattern { get; } = pattern;

        public Dictionary<string, (Access Access, RouteHandler Handler)> Handlers { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
