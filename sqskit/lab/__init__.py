"""sqskit.lab"""
