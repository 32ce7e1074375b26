// approved
line two
