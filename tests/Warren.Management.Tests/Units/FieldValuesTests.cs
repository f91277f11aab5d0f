using System.Text.Json.Nodes;
using Warren.Management.Json;

namespace Warren.Management.Tests.Units;

public sealed class FieldValuesTests
{
    [Fact]
    public void Json_integers_become_longs_and_fractions_doubles()
    {
        var table = FieldValues.FromJson(JsonNode.Parse("""{"i":10,"n":-3,"f":1.5,"s":"x","b":true,"o":{"k":[1,"a"]}}""")!.AsObject())!;
        Assert.IsType<long>(table["i"]);
        Assert.Equal(-3L, table["n"]);
        Assert.Equal(1.5, table["f"]);
        Assert.Equal("x", table["s"]);
        Assert.Equal(true, table["b"]);
        var nested = Assert.IsType<Dictionary<string, object?>>(table["o"]);
        Assert.Equal([1L, "a"], Assert.IsType<List<object?>>(nested["k"]));
    }

    [Fact]
    public void Field_values_are_shown_as_RabbitMQ_shows_them()
    {
        var json = FieldValues.ToJson(new Dictionary<string, object?> { ["b"] = "hi"u8.ToArray(), ["i"] = 5, ["t"] = DateTimeOffset.FromUnixTimeSeconds(7) });
        Assert.Equal("""{"b":"hi","i":5,"t":7}""", json.ToJsonString());
    }
}
