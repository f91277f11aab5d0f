using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Warren.Management.Http;

/// <summary>
/// RabbitMQ's list parameters: <c>page</c>, <c>page_size</c>, <c>name</c>, <c>use_regex</c>,
/// <c>sort</c>, <c>sort_reverse</c>, <c>columns</c>. Without <c>page</c> the answer is the plain
/// array; with it, the paged envelope. Filtering and sorting by name happen on the objects, so
/// only one page is rendered to JSON; another sort key renders every filtered item first.
/// </summary>
internal static class Listing
{
    private const int MaxPageSize = 500; // RabbitMQ refuses larger pages

    public static Task WriteAsync<T>(ApiRequest request, IEnumerable<T> source, Func<T, string> name, Func<T, string?> vhost, Func<T, JsonObject> render)
    {
        var items = source.ToList();
        var total = items.Count;
        var pageText = request.Query("page");
        var paged = pageText is not null;
        int page = 1, pageSize = 100;
        if (paged)
        {
            var sizeText = request.Query("page_size");
            if (!int.TryParse(pageText, out page) || (sizeText is not null && !int.TryParse(sizeText, out pageSize)))
            {
                throw ApiException.BadRequest("Pagination parameters are invalid");
            }
            if (page < 1 || pageSize < 1 || pageSize > MaxPageSize)
            {
                throw new ApiException(400, "invalid_pagination_parameters",
                    $"Invalid pagination parameters: page number {page}, page size {sizeText ?? "undefined"}");
            }
        }

        if (request.Query("name") is { Length: > 0 } filter)
        {
            if (request.QueryFlag("use_regex"))
            {
                Regex regex;
                try
                {
                    regex = new Regex(filter, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
                }
                catch (ArgumentException)
                {
                    throw ApiException.BadRequest("Pagination parameters are invalid");
                }
                try
                {
                    items = items.Where(i => regex.IsMatch(name(i))).ToList();
                }
                catch (RegexMatchTimeoutException)
                {
                    throw ApiException.BadRequest("Pagination parameters are invalid");
                }
            }
            else
            {
                items = items.Where(i => name(i).Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
            }
        }
        var filtered = items.Count;
        var sort = request.Query("sort");
        var reverse = request.QueryFlag("sort_reverse");
        List<JsonObject> rendered;
        int first = (page - 1) * pageSize;
        if (string.IsNullOrEmpty(sort) || sort == "name" || sort == "vhost")
        {
            // RabbitMQ's default order: by virtual host, then name (bytewise).
            items.Sort((a, b) =>
            {
                int c;
                if (sort == "name") c = string.CompareOrdinal(name(a), name(b));
                else
                {
                    c = string.CompareOrdinal(vhost(a), vhost(b));
                    if (c == 0) c = string.CompareOrdinal(name(a), name(b));
                }
                return c;
            });
            if (reverse) items.Reverse();
            var window = paged ? items.Skip(first).Take(pageSize) : items;
            rendered = window.Select(render).ToList();
        }
        else
        {
            rendered = items.Select(render).ToList();
            var path = sort.Split('.');
            rendered.Sort((a, b) => CompareNodes(Lookup(a, path), Lookup(b, path)));
            if (reverse) rendered.Reverse();
            if (paged) rendered = rendered.Skip(first).Take(pageSize).ToList();
        }
        if (request.Query("columns") is { Length: > 0 } columns)
        {
            var paths = columns.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split('.')).ToArray();
            rendered = rendered.Select(item => Columns(item, paths)).ToList();
        }
        var array = new JsonArray([.. rendered]);
        if (!paged) return request.JsonAsync(array);
        var pageCount = filtered == 0 ? 0 : (filtered + pageSize - 1) / pageSize;
        if (page > Math.Max(pageCount, 1))
        {
            throw new ApiException(400, "page_out_of_range", $"Page out of range, page: {page} page size: {pageSize}, len: {filtered}");
        }
        return request.JsonAsync(new JsonObject
        {
            ["filtered_count"] = filtered,
            ["item_count"] = array.Count,
            ["items"] = array,
            ["page"] = page,
            ["page_count"] = pageCount,
            ["page_size"] = pageSize,
            ["total_count"] = total,
        });
    }

    private static JsonNode? Lookup(JsonObject item, string[] path)
    {
        JsonNode? node = item;
        foreach (var part in path)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(part, out node)) return null;
        }
        return node;
    }

    // Numbers before strings, absent values first: the order RabbitMQ's Erlang term comparison gives.
    private static int CompareNodes(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null) return (a is null ? 0 : 1) - (b is null ? 0 : 1);
        var ka = a.GetValueKind();
        var kb = b.GetValueKind();
        if (ka == JsonValueKind.Number && kb == JsonValueKind.Number) return a.GetValue<double>().CompareTo(b.GetValue<double>());
        if (ka == JsonValueKind.String && kb == JsonValueKind.String) return string.CompareOrdinal(a.GetValue<string>(), b.GetValue<string>());
        return Rank(ka).CompareTo(Rank(kb));
    }

    private static int Rank(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => 0,
        JsonValueKind.True or JsonValueKind.False => 1,
        JsonValueKind.String => 2,
        JsonValueKind.Object => 3,
        _ => 4,
    };

    // Keeps only the named columns; a dotted column keeps that path inside nested objects.
    private static JsonObject Columns(JsonObject item, string[][] paths)
    {
        var result = new JsonObject();
        foreach (var path in paths)
        {
            var value = Lookup(item, path);
            if (value is null && !HasPath(item, path)) continue;
            var target = result;
            for (var i = 0; i < path.Length - 1; i++)
            {
                if (target[path[i]] is not JsonObject next)
                {
                    next = new JsonObject();
                    target[path[i]] = next;
                }
                target = next;
            }
            target[path[^1]] = value?.DeepClone();
        }
        return result;
    }

    private static bool HasPath(JsonObject item, string[] path)
    {
        JsonNode? node = item;
        for (var i = 0; i < path.Length; i++)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(path[i], out node)) return false;
        }
        return true;
    }
}
