import Gumbo

print("gumbo: the command grows in later issues")
