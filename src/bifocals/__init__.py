"""bifocals: leadership (far sight) and management (near sight), measured side by side."""

__version__ = "0.1.0"
