"""SymLA: symmetric learning agents, a reproduction of Kirsch et al. (AAAI 2022)."""

__version__ = "0.1.0"
