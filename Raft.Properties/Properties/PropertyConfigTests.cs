namespace Raft.Properties.Properties;

/// <summary>RAFTVERIFY_FSCHECK_CASES means what it says: the number of cases every property runs.</summary>
public sealed class PropertyConfigTests
{
    [Theory]
    [InlineData(500, null, 500)]
    [InlineData(500, "", 500)]
    [InlineData(500, "1000", 1000)]
    [InlineData(100, "1000", 1000)]
    [InlineData(200, " 7 ", 7)]
    [InlineData(300, "1", 1)]
    public void TheKnob_IsTheNumberOfCases_AndUnsetEachPropertyRunsItsDefault(int byDefault, string? knob, int cases) =>
        Assert.Equal(cases, PropertyConfig.Cases(byDefault, knob));

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    public void ABadKnob_IsRejected(string knob) => Assert.Throws<ArgumentException>(() => PropertyConfig.Cases(100, knob));

    /// <summary>Every property's attribute runs what the knob says when it is set, its own default when not: no factor between them.</summary>
    [Fact]
    public void EveryPropertysCases_AreTheKnobOrItsDefault()
    {
        string? knob = Environment.GetEnvironmentVariable(PropertyConfig.CasesVariable);
        var properties = typeof(PropertyConfigTests).Assembly.GetTypes().SelectMany(PropertyConfig.Properties).ToList();
        Assert.True(properties.Count >= 15, $"{properties.Count} properties");
        foreach (var m in properties)
        {
            var a = (RaftPropertyAttribute)m.GetCustomAttributes(typeof(RaftPropertyAttribute), false).Single();
            Assert.Equal(string.IsNullOrWhiteSpace(knob) ? a.DefaultCases : int.Parse(knob.Trim(), System.Globalization.CultureInfo.InvariantCulture), a.MaxTest);
        }
    }

    [Fact]
    public void TheKnobsLine_NamesEachPropertysCases_AndWhy()
    {
        string line = PropertyConfig.Knobs(typeof(ScheduleProperties));
        Assert.StartsWith("FsCheck ScheduleProperties: ", line, StringComparison.Ordinal);
        foreach (var m in PropertyConfig.Properties(typeof(ScheduleProperties)))
            Assert.Contains($"{m.Name} {((RaftPropertyAttribute)m.GetCustomAttributes(typeof(RaftPropertyAttribute), false).Single()).MaxTest} cases", line, StringComparison.Ordinal);
        Assert.Contains(PropertyConfig.CasesVariable, line, StringComparison.Ordinal);
        Assert.Contains(PropertyConfig.SeedVariable, line, StringComparison.Ordinal);
    }
}
