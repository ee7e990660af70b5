from services.gateway.serving.derived_once import DerivedOnce


class Source:
    """An object that, like a protobuf message, is not hashable by value."""


def test_a_value_is_derived_once_per_object_and_never_taken_for_another_object():
    calls: list[Source] = []

    def derive(source: Source) -> int:
        calls.append(source)
        return len(calls)

    derived = DerivedOnce(derive, max_kept=2)
    first, second = Source(), Source()
    assert derived(first) == 1
    assert derived(first) == 1, "asked again, the value is kept"
    assert derived(second) == 2
    assert calls == [first, second]


def test_past_its_bound_every_value_is_forgotten_and_derived_again():
    derived = DerivedOnce(id, max_kept=2)
    sources = [Source() for _ in range(3)]
    for source in sources:
        assert derived(source) == id(source)
    assert len(derived._kept) == 1  # noqa: SLF001 - the bound is the point of this test
