"""Plain demo data, shared by the demo organisation and the benchmark data generators (no Django)."""

PROFILES = [
    ("SM", "Service manager"),
    ("PUR", "Purchaser"),
    ("PMO", "PMO officer"),
    ("PM", "Project manager"),
    ("DEV", "Developer"),
    ("NET", "Network engineer"),
    ("SD", "Service desk agent"),
    ("ARCH", "Architect"),
    ("CM", "Contract manager"),
    ("CTRL", "Finance controller"),
    ("HRA", "HR advisor"),
    ("FCO", "Facilities coordinator"),
    ("DIR", "Director"),
    ("TL", "Team lead"),
]
